import pytest

from myapprentice_app.config import Settings, UnsafeConfiguration

SAFE = {"secret_key": "x" * 40, "database_url": "postgresql+psycopg://db/app", "app_url": "https://app.example",
        "password_hashing": "argon2id"}


def test_production_mode_starts_with_safe_settings_and_uses_the_given_secret_key(tmp_path) -> None:
    settings = Settings(app_env="production", instance_dir=tmp_path, **SAFE)
    assert settings.app_env == "production"
    assert settings.secret() == SAFE["secret_key"]
    assert not (tmp_path / "secret_key").exists()  # no key of its own generated beside the one given


@pytest.mark.parametrize(("setting", "value", "named"), [
    ("secret_key", None, "SECRET_KEY"),
    ("secret_key", "short", "SECRET_KEY"),
    ("database_url", "sqlite:///instance/app.db", "DATABASE_URL"),
    ("app_url", "http://app.example", "APP_URL"),
    ("password_hashing", "cheap_for_tests", "PASSWORD_HASHING"),
])
def test_production_mode_refuses_an_unsafe_default_and_names_the_setting(setting, value, named) -> None:
    with pytest.raises(UnsafeConfiguration, match=named):
        Settings(app_env="production", **{**SAFE, setting: value})


def test_production_mode_refuses_a_stripe_key_without_the_webhook_secret_that_verifies_its_events() -> None:
    with pytest.raises(UnsafeConfiguration, match="STRIPE_WEBHOOK_SECRET"):
        Settings(app_env="production", **SAFE, stripe_secret_key="sk_live_a_real_key")
    assert Settings(app_env="production", **SAFE, stripe_secret_key="sk_live_a_real_key",
                    stripe_webhook_secret="whsec_its_own").uses_real_stripe


def test_development_mode_generates_a_secret_key_once_and_keeps_it_outside_the_data_folder(tmp_path) -> None:
    instance, key_file = tmp_path / "instance", tmp_path / "config" / "secret_key"
    first = Settings(secret_key=None, instance_dir=instance, secret_key_file=key_file).secret()
    assert len(first) >= 48
    assert Settings(secret_key=None, instance_dir=instance, secret_key_file=key_file).secret() == first
    assert key_file.stat().st_mode & 0o077 == 0
    assert not (instance / "secret_key").exists()


def test_the_default_key_file_is_in_the_users_config_folder_not_in_instance(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert Settings(secret_key=None).secret_key_file == tmp_path / "myapprentice" / "secret_key"


def test_a_key_left_in_instance_by_an_earlier_version_moves_out_and_keeps_working(tmp_path) -> None:
    instance, key_file = tmp_path / "instance", tmp_path / "config" / "secret_key"
    instance.mkdir()
    (instance / "secret_key").write_text("an-older-key-that-encrypted-the-existing-data-0123456789")
    key = Settings(secret_key=None, instance_dir=instance, secret_key_file=key_file).secret()
    assert key == "an-older-key-that-encrypted-the-existing-data-0123456789"
    assert key_file.read_text() == key and not (instance / "secret_key").exists()
