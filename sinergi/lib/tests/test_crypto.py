"""NIK protection: the lookup hash is stable, and every stored form stays readable."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from cryptography.exceptions import InvalidTag

from sinergi.lib import crypto

NIK = "3317045203850001"


def test_it_encrypts_with_aes_gcm_and_reads_it_back() -> None:
    token = crypto.encrypt(NIK)
    assert token.startswith("g1:")
    assert NIK not in token
    assert len(base64.b64decode(token[3:])) == 12 + len(NIK) + 16  # nonce, text, tag
    assert crypto.decrypt(token) == NIK


def test_it_uses_a_new_nonce_for_every_value() -> None:
    assert crypto.encrypt(NIK) != crypto.encrypt(NIK)


def test_it_still_reads_fernet_tokens_stored_before_aes_gcm() -> None:
    legacy = crypto._fernet().encrypt(NIK.encode()).decode()
    assert not legacy.startswith("g1:")
    assert crypto.decrypt(legacy) == NIK


def test_it_refuses_a_token_that_was_tampered_with() -> None:
    raw = bytearray(base64.b64decode(crypto.encrypt(NIK)[3:]))
    raw[-1] ^= 1
    with pytest.raises(InvalidTag):
        crypto.decrypt("g1:" + base64.b64encode(bytes(raw)).decode())


def test_the_lookup_hash_is_the_hmac_sha256_stored_hashes_were_made_with() -> None:
    expected = hmac.new(crypto._hash_key(), NIK.encode(), hashlib.sha256).hexdigest()
    assert crypto.lookup_hash(NIK) == expected
