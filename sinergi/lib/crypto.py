"""Field-level protection for personal identifiers: keyed lookup hash and encryption."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _derive(info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
        settings.FIELD_ENCRYPTION_KEY.encode()
    )


@cache
def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"sinergi-field-encryption")))


@cache
def _hash_key() -> bytes:
    return _derive(b"sinergi-lookup-hash")


def lookup_hash(value: str) -> str:
    """Deterministic keyed hash: equal values collide, the value cannot be recovered."""
    return hmac.new(_hash_key(), value.encode(), hashlib.sha256).hexdigest()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()
