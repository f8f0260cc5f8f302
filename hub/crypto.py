"""Secrets at rest: encrypted with Fernet keys from FIELD_ENCRYPTION_KEY (several, comma-separated, the
first encrypting and all decrypting, so keys can be rotated); in the embedded mode a key is made once
and kept in var/."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver


class SecretUnreadable(Exception):
    """A stored secret no configured key can decrypt (the key was removed or the data damaged)."""


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.FIELD_ENCRYPTION_KEYS])


@receiver(setting_changed)
def _keys_changed(*, setting: str, **_: object) -> None:
    # Tests (and rotatekeys' own) change the keys at run time; the cached MultiFernet must follow.
    if setting == "FIELD_ENCRYPTION_KEYS":
        _fernet.cache_clear()


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable("A stored secret cannot be decrypted with the configured keys.") from error


def rotate(token: str) -> str:
    """The same secret encrypted with the newest key."""
    return _fernet().rotate(token.encode()).decode()


def new_fernet_key() -> str:
    return Fernet.generate_key().decode()


# After a rotation the secret before keeps working this long, so senders and receivers switch without a gap.
SECRET_OVERLAP = timedelta(hours=24)


def new_webhook_secret() -> str:
    """A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def fingerprint(secret: str) -> str:
    """A short, non-reversible tag for showing which secret is which (never the secret)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), secret.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:6]).decode()
