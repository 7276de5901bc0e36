"""Field-level protection for personal identifiers: keyed lookup hash and encryption.

Values are encrypted with AES-256-GCM and stored as `g1:` + base64(nonce + ciphertext and
tag), with a random 96-bit nonce per value. Values written before that are Fernet tokens
(no prefix); decrypt reads both, so nothing stored becomes unreadable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_GCM_PREFIX = "g1:"
_NONCE_BYTES = 12


def _derive(info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
        settings.FIELD_ENCRYPTION_KEY.encode()
    )


@cache
def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"sinergi-field-encryption")))


@cache
def _aesgcm() -> AESGCM:
    return AESGCM(_derive(b"sinergi-field-encryption-gcm"))


@cache
def _hash_key() -> bytes:
    return _derive(b"sinergi-lookup-hash")


def lookup_hash(value: str) -> str:
    """Deterministic keyed hash: equal values collide, the value cannot be recovered."""
    return hmac.new(_hash_key(), value.encode(), hashlib.sha256).hexdigest()


def encrypt(value: str) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _aesgcm().encrypt(nonce, value.encode(), None)
    return _GCM_PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    if token.startswith(_GCM_PREFIX):
        raw = base64.b64decode(token[len(_GCM_PREFIX) :])
        return _aesgcm().decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None).decode()
    return _fernet().decrypt(token.encode()).decode()
