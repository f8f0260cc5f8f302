"""`manage.py rotatekeys`: re-encrypt every stored secret with the newest FIELD_ENCRYPTION_KEY.

Rotating a key: put the new key first in FIELD_ENCRYPTION_KEY ("NEW,OLD"), restart, run this command,
then remove the old key. Every secret at rest is covered: connections' secrets, OAuth2 tokens and
pending authorizations, flows' webhook signing secrets, and event endpoints' secrets. It lives in
`flows` because only flows may import both nodes and hub.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from flows.models import WebhookSecret
from hub import crypto
from hub.models import EventEndpoint
from nodes.models import Connection

BATCH = 200


@dataclass(frozen=True)
class Target:
    label: str
    model: Any  # a model class (mypy's Django plugin types each `objects` on its own class)
    fields: tuple[str, ...]


TARGETS = (
    Target("connections", Connection, ("secret_encrypted", "token_encrypted", "oauth_pending_encrypted")),
    Target("flow webhook secrets", WebhookSecret, ("secret_encrypted",)),
    Target("event endpoints", EventEndpoint, ("secret_encrypted", "previous_secret_encrypted")),
)


class Command(BaseCommand):
    help = "Re-encrypt every stored secret with the newest key of FIELD_ENCRYPTION_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        total = 0
        for target in TARGETS:
            rows, secrets, unreadable = self._rotate(target)
            total += secrets
            failed += unreadable
            line = f"{target.label}: {rows} rows, {secrets} secrets re-encrypted"
            if unreadable:
                line += f", {unreadable} unreadable with the configured keys (left as they were)"
            self.stdout.write(line)
        if failed:
            raise CommandError(
                f"{failed} secrets could not be decrypted with any configured key: put back the key they "
                "were encrypted with (after the newest) and run rotatekeys again."
            )
        self.stdout.write(self.style.SUCCESS(f"Done: {total} secrets are encrypted with the newest key."))

    def _rotate(self, target: Target) -> tuple[int, int, int]:
        rows = secrets = unreadable = 0
        ids = list(target.model.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            # One batch per transaction, rows locked: a secret changed meanwhile is not overwritten.
            with transaction.atomic():
                batch = target.model.objects.select_for_update().filter(pk__in=ids[start : start + BATCH])
                for row in batch:
                    changed = {}
                    for name in target.fields:
                        value = getattr(row, name)
                        if not value:
                            continue
                        try:
                            changed[name] = crypto.rotate(value)
                        except InvalidToken:
                            unreadable += 1
                    if changed:
                        # update(), not save(): re-encrypting is no edit (auto_now stamps stay).
                        target.model.objects.filter(pk=row.pk).update(**changed)
                        secrets += len(changed)
                    rows += 1
            self.stdout.write(f"  {target.label}: {min(start + BATCH, len(ids))}/{len(ids)}")
        return rows, secrets, unreadable
