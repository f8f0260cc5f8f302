"""The audit log every app writes to through `hub.audit.record`, and the platform's event subscriptions."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAppendOnly(Exception):
    """The audit log is append-only: an entry is never changed or removed by the application."""


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditAppendOnly("The audit log is append-only: entries are never updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditAppendOnly(
            "The audit log is append-only: entries are never deleted (retention prunes through "
            "hub.audit.audit_prune, which anchors the chain)."
        )

    def _raw_delete(self, using: Any) -> int:
        raise AuditAppendOnly("The audit log is append-only: entries are never deleted.")

    def bulk_create(self, *args: Any, **kwargs: Any) -> list[AuditEntry]:  # type: ignore[override]
        raise AuditAppendOnly("Entries are written one at a time by hub.audit.record, which chains them.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AuditAppendOnly("The audit log is append-only: entries are never updated.")


class AuditEntry(models.Model):
    """One entry of the hash-chained audit log, written only by `hub.audit.record`.

    `seq` numbers the chain without gaps; `hash` is SHA-256 over the canonical JSON of the entry's
    fields and `prev_hash` (see `hub.audit.entry_hash`), so an edit or a deletion shows as a break that
    `manage.py auditverify` names. `actor_id` is a plain column, not a foreign key: deleting a person
    must neither null it (that would be an edit of a hashed field) nor be refused.
    """

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    ip = models.CharField(
        max_length=45, blank=True, help_text="The client's address; empty outside a request."
    )
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    detail = models.JSONField(default=dict)
    correlation_id = models.CharField(max_length=128, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["-at", "-id"], name="audit_list"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditAppendOnly("The audit log is append-only: entries are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditAppendOnly("The audit log is append-only: entries are never deleted.")


class EventEndpoint(models.Model):
    """An admin-registered receiver of the platform's own events (`run.failed`, …), signed the Standard
    Webhooks way with its own secret (encrypted at rest; shown once, when made or rotated)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    url = models.CharField(max_length=2048)
    description = models.CharField(max_length=500, blank=True)
    event_types = models.JSONField(default=list, help_text="The event types this endpoint receives.")
    active = models.BooleanField(default=True)
    secret_encrypted = models.TextField()
    secret_fingerprint = models.CharField(max_length=16)
    # After a rotation the secret before also signs (a second signature) until this passes, so
    # receivers can switch over without refusing a delivery.
    previous_secret_encrypted = models.TextField(blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="event_endpoint_list"),
            models.Index(fields=["active"], name="event_endpoint_active"),
        ]

    def __str__(self) -> str:
        return self.url


class EventDeliveryStatus(models.TextChoices):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class EventDelivery(models.Model):
    """One event for one endpoint: its payload, its `webhook-id` (the same on every attempt and replay,
    so receivers can drop duplicates) and every attempt made."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(EventEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(max_length=64)
    payload = models.JSONField(help_text='The envelope sent: {"type", "timestamp", "data"}.')
    webhook_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=16, choices=EventDeliveryStatus.choices, default=EventDeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    # One entry per attempt: {"attempt", "at", "status_code", "error", "duration_ms", "replay"}.
    attempt_log = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, help_text="Why the last attempt failed; empty once delivered.")
    replays = models.PositiveIntegerField(default=0)
    correlation_id = models.CharField(max_length=128, blank=True)
    # While pending: when the next attempt may start; while an attempt runs, the end of its lease.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["endpoint", "-created_at", "-id"], name="event_delivery_list"),
            models.Index(fields=["status", "next_attempt_at"], name="event_delivery_due"),
        ]
