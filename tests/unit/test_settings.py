import pytest

from myapprentice_app.config import Settings, UnsafeConfiguration

SAFE = {"secret_key": "x" * 40, "database_url": "postgresql+psycopg://db/app", "app_url": "https://app.example"}


def test_production_mode_starts_with_safe_settings() -> None:
    Settings(app_env="production", **SAFE)


@pytest.mark.parametrize(("setting", "value", "named"), [
    ("secret_key", None, "SECRET_KEY"),
    ("secret_key", "short", "SECRET_KEY"),
    ("database_url", "sqlite:///instance/app.db", "DATABASE_URL"),
    ("app_url", "http://app.example", "APP_URL"),
])
def test_production_mode_refuses_an_unsafe_default_and_names_the_setting(setting, value, named) -> None:
    with pytest.raises(UnsafeConfiguration, match=named):
        Settings(app_env="production", **{**SAFE, setting: value})


def test_development_mode_generates_a_secret_key_once_and_keeps_it(tmp_path) -> None:
    first = Settings(secret_key=None, instance_dir=tmp_path).secret()
    assert len(first) >= 48
    assert Settings(secret_key=None, instance_dir=tmp_path).secret() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
