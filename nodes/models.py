"""Connections: the credentials nodes use, encrypted at rest, never placed in a run's data."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Connection(models.Model):
    class Kind(models.TextChoices):
        # The signing secret of outbound Standard Webhooks (`action.webhook`).
        WEBHOOK_SECRET = "webhook_secret"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    secret_encrypted = models.TextField()
    fingerprint = models.CharField(max_length=16)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["-created_at", "id"], name="connection_list")]
