"""Secrets at rest (Slack bot tokens, CRM credentials): Fernet with a key derived
by HKDF-SHA256 from FIELD_ENCRYPTION_KEY when set, else from SECRET_KEY.

Rotation: when the key is derived from SECRET_KEY, values written under a key
in SECRET_KEY_FALLBACKS still decrypt (MultiFernet) and are re-encrypted under
the current key the next time they are saved. Setting FIELD_ENCRYPTION_KEY
decouples stored secrets from SECRET_KEY rotation altogether.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"knock-field-encryption"


class UndecryptableSecret(ValueError):
    pass


def _derive(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _fernet() -> MultiFernet:
    dedicated = getattr(settings, "FIELD_ENCRYPTION_KEY", "") or ""
    secrets = [dedicated] if dedicated else [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet([_derive(s) for s in secrets])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode() if plaintext else ""


def decrypt(ciphertext: str) -> str:
    if not ciphertext:
        return ""
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise UndecryptableSecret(
            "a stored secret cannot be decrypted (SECRET_KEY or FIELD_ENCRYPTION_KEY "
            "changed?): enter it again"
        ) from exc
