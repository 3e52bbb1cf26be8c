"""The sandbox's RS256 signing key: made once, kept in the state file, published as a JWKS.

Xero signs access tokens and id_tokens with RS256 and publishes its public keys at
`/.well-known/openid-configuration/jwks`; OIDC clients verify id_tokens against them.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

STATE_KEY = "signing_key"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _int_b64(value: int) -> str:
    return _b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


class SigningKey:
    def __init__(self, pem: str) -> None:
        loaded = serialization.load_pem_private_key(pem.encode(), password=None)
        assert isinstance(loaded, rsa.RSAPrivateKey)
        self.pem = pem
        self.private = loaded
        numbers = loaded.public_key().public_numbers()
        self.n, self.e = _int_b64(numbers.n), _int_b64(numbers.e)
        self.kid = hashlib.sha256(f"{self.n}.{self.e}".encode()).hexdigest()[:32].upper()

    @classmethod
    def generate(cls) -> SigningKey:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return cls(pem.decode())

    def jwk(self) -> dict[str, Any]:
        return {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid, "e": self.e, "n": self.n}

    def sign(self, claims: dict[str, Any]) -> str:
        header = {"alg": "RS256", "kid": self.kid, "typ": "JWT"}
        signing_input = ".".join(
            _b64(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
        )
        signature = self.private.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64(signature)}"


def of(state: dict[str, Any]) -> SigningKey:
    """The key kept in the state (persisted with it), generated the first time it is needed."""
    pem = state.get(STATE_KEY)
    if not pem:
        key = SigningKey.generate()
        state[STATE_KEY] = key.pem
        return key
    return SigningKey(pem)
