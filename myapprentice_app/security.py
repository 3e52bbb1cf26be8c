"""Password hashing, opaque tokens and encryption of secrets at rest."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import lru_cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from myapprentice_app.config import get_settings


@lru_cache
def _hasher() -> PasswordHasher:
    # The test suites hash thousands of passwords; production refuses the cheap profile (config.py).
    if get_settings().password_hashing == "cheap_for_tests":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    # OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): ~30 ms of one core. argon2-cffi's default (64 MiB,
    # 3 passes, 4 lanes) takes ~200 ms of CPU, so a burst of sign-ins, or of wrong guesses, starves every tab
    # a web process serves. A hash carries its own parameters: older ones still verify, and are redone at
    # sign-in (`needs_rehash`).
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@lru_cache
def _dummy_hash() -> str:
    """A real hash to verify against when the email is unknown, so both paths cost the same time."""
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than today's (see `_hasher`)."""
    return _hasher().check_needs_rehash(password_hash)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@lru_cache
def _key(purpose: str) -> bytes:
    # One derived key per purpose: a leaked TOTP key doesn't decrypt Xero tokens, and vice versa.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(
        get_settings().secret().encode()
    )


@lru_cache
def _fernet(purpose: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_key(purpose)))


def notice_signature(text: str) -> str:
    """Signs a message the app puts in a redirect's query for the page to show, so a crafted link can't put
    words of its own on our pages."""
    return hmac.new(_key("notice"), text.encode(), hashlib.sha256).hexdigest()[:32]


def signed_notice(text: str, signature: str) -> str:
    """The message if the app signed it, else ""."""
    # compare_digest takes str of ASCII only: a signature from the address bar is compared as bytes
    return text if text and hmac.compare_digest(notice_signature(text).encode(), signature.encode()) else ""


def encrypt(plaintext: str, purpose: str) -> str:
    return _fernet(purpose).encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str, purpose: str) -> str:
    try:
        return _fernet(purpose).decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("stored secret cannot be decrypted with this SECRET_KEY") from exc
