"""Secrets at rest: Fernet with a key derived from SECRET_KEY (or FIELD_ENCRYPTION_KEY).

Used for third-party credentials stored in the database (Slack bot tokens,
CRM credentials). Rotating SECRET_KEY without setting FIELD_ENCRYPTION_KEY to
the old key makes stored credentials unreadable: they must be entered again.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _fernet() -> Fernet:
    secret = (getattr(settings, "FIELD_ENCRYPTION_KEY", "") or settings.SECRET_KEY).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"knock-field-encryption")
    return Fernet(base64.urlsafe_b64encode(key.derive(secret)))


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode() if plaintext else ""


def decrypt(ciphertext: str) -> str:
    if not ciphertext:
        return ""
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("stored secret cannot be decrypted (was SECRET_KEY rotated?)") from exc
