"""Flows and their versions, the inbound events that start runs, runs and their steps."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


def _webhook_key() -> str:
    return secrets.token_urlsafe(24)


class Flow(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="flows"
    )
    # The team a flow belongs to: its members see it, and it stays with the team when its owner leaves.
    team = models.ForeignKey("identity.Team", on_delete=models.PROTECT, related_name="flows")
    draft = models.JSONField()
    paused = models.BooleanField(default=False)
    # The unguessable part of /hooks/{key}; stable across versions so callers need not change URLs.
    webhook_key = models.CharField(max_length=64, unique=True, default=_webhook_key)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["-created_at", "id"], name="flow_list")]

    def __str__(self) -> str:
        return self.name


class WebhookSecret(models.Model):
    """A signing secret of a flow's webhook (Standard Webhooks), encrypted at rest. After a rotation
    the one before keeps verifying until `expires_at`."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="webhook_secrets")
    secret_encrypted = models.TextField()
    fingerprint = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["flow", "-created_at"], name="webhook_secret_by_flow")]


class WebhookRejection(models.Model):
    """What is kept of a refused webhook request: a count per flow, reason and hour, nothing more."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="webhook_rejections")
    reason = models.CharField(max_length=32)
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["flow", "reason", "hour"], name="one_rejection_counter_per_hour")
        ]


class VersionState(models.TextChoices):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETIRED = "retired"


class FlowVersion(models.Model):
    """A frozen graph. At most one version of a flow is approved: that one is live."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    graph = models.JSONField()
    state = models.CharField(max_length=16, choices=VersionState.choices, default=VersionState.PENDING)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="authored_versions"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decided_versions",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    self_approved = models.BooleanField(default=False)
    # How many different people approve it before it goes live: the team's rule when it was submitted.
    required_approvals = models.PositiveSmallIntegerField(default=1)
    # For a roll back: the number of the earlier version whose graph this one brings back.
    rollback_of = models.PositiveIntegerField(null=True, blank=True)
    # When the people who may decide were told: set once, so a redelivered message tells nobody twice.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["flow", "number"], name="unique_version_number"),
            models.UniqueConstraint(fields=["flow"], condition=Q(state="approved"), name="one_live_version"),
        ]
        indexes = [models.Index(fields=["state", "-created_at"], name="version_inbox")]


class DecisionKind(models.TextChoices):
    APPROVE = "approve"
    REJECT = "reject"


class VersionDecision(models.Model):
    """One approval or rejection of a version: who, when, with what comment. Rows are only added.

    `slot` numbers the approvals of a version (1, 2): unique per version, so of two approvals racing
    for the same place exactly one is stored, whatever the locks did.
    """

    version = models.ForeignKey(FlowVersion, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=8, choices=DecisionKind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="version_decisions"
    )
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)
    # The author approved because nobody else could decide (a one-person team or instance).
    self_approved = models.BooleanField(default=False)
    # Fewer other people could decide than the team's rule asks for, so the ones there were sufficed.
    fewer_deciders = models.BooleanField(default=False)
    slot = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "by"], condition=Q(kind="approve"), name="one_approval_per_person"
            ),
            models.UniqueConstraint(
                fields=["version", "slot"], condition=Q(slot__isnull=False), name="one_approval_per_slot"
            ),
            models.UniqueConstraint(fields=["version"], condition=Q(kind="reject"), name="one_rejection"),
        ]


class TriggerEvent(models.Model):
    """What started a run, stored before the run is queued so nothing delivered is lost."""

    class Kind(models.TextChoices):
        WEBHOOK = "webhook"
        MANUAL = "manual"
        SCHEDULE = "schedule"
        TEST = "test"
        ERROR_FLOW = "error_flow"
        EVENT = "event"  # another flow's action.emit
        POLL = "poll"  # a new item trigger.poll found

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    payload = models.JSONField(help_text="The trigger's output: what the trigger node hands on.")
    received_at = models.DateTimeField(auto_now_add=True)
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)
    body_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["flow", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="unique_event_idempotency_key",
            ),
        ]


class RunStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    WAITING = "waiting"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class Run(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="runs")
    # A test run executes the draft: its graph is frozen here instead of in a version.
    version = models.ForeignKey(
        FlowVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="runs"
    )
    graph = models.JSONField(null=True, blank=True)
    event = models.ForeignKey(TriggerEvent, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    correlation_id = models.CharField(max_length=128)
    # The first run of this trigger event; replays share it, so side effects keep one idempotency key.
    origin = models.UUIDField(null=True, blank=True, editable=False)
    replay_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # While waiting (a delay or a retry back-off): when to go on.
    resume_at = models.DateTimeField(null=True, blank=True)
    # A worker that holds the run renews this; a crashed worker's run is taken over once it lapses.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Which claim holds the run: every write of a running run names it, so a worker whose lease was
    # taken over can no longer change anything.
    claim = models.UUIDField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True)
    output = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["-created_at", "id"], name="run_list"),
            models.Index(fields=["flow", "-created_at"], name="run_by_flow"),
            models.Index(fields=["status", "-created_at"], name="run_by_status"),
            models.Index(fields=["correlation_id"], name="run_by_correlation"),
        ]


class StepStatus(models.TextChoices):
    RUNNING = "running"
    WAITING = "waiting"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"


class StepRun(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="steps")
    node = models.CharField(max_length=64)
    node_type = models.CharField(max_length=200)
    position = models.PositiveIntegerField(help_text="The step's place in the run's execution order.")
    status = models.CharField(max_length=16, choices=StepStatus.choices)
    attempts = models.PositiveIntegerField(default=0)
    input = models.JSONField(null=True, blank=True)
    output = models.JSONField(null=True, blank=True)
    # The output port the step sent its output through; None when it stopped its branch.
    port = models.CharField(max_length=64, null=True, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    resume_at = models.DateTimeField(null=True, blank=True)
    waiting_for = models.CharField(
        max_length=8,
        blank=True,
        choices=[("delay", "delay"), ("retry", "retry"), ("approval", "approval")],
    )
    # One entry per attempt: {"attempt", "started_at", "finished_at", "status", "error"}.
    attempt_log = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "node"], name="unique_step_per_run")]
        ordering = ["position"]


# --- Approvals inside runs, and polling (transform.approval, trigger.poll) ---------------------------


class ApprovalState(models.TextChoices):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"


class ApprovalTask(models.Model):
    """A `transform.approval` step waiting for a person: who may decide (a named person, or everyone
    holding a role for the flow's team), until when, and — once decided — who decided what."""

    class Role(models.TextChoices):
        APPROVER = "approver"  # the team's approvers, and admins
        ADMIN = "admin"
        TEAM = "team"  # every member of the flow's team, and admins

    # A UUID: the id travels in links and URLs, and must not be guessable from its neighbours.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="approval_tasks")
    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="approval_tasks")
    node = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    message = models.TextField(blank=True)
    data = models.JSONField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(max_length=16, choices=Role.choices, blank=True)
    state = models.CharField(max_length=16, choices=ApprovalState.choices, default=ApprovalState.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    # When the people who may decide were e-mailed: set once, so a redelivered message mails nobody twice.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "node"], name="one_approval_task_per_step")]
        indexes = [models.Index(fields=["state", "-created_at"], name="approval_task_inbox")]


class PollState(models.Model):
    """Where a flow's `trigger.poll` stands: when it is due next, and how the last poll went (shown
    in the flow's API output as `poll`)."""

    flow = models.OneToOneField(Flow, on_delete=models.CASCADE, related_name="poll_state")
    next_poll_at = models.DateTimeField()
    # False until the first poll succeeded: with `start: new` that poll only remembers what exists.
    primed = models.BooleanField(default=False)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=8, blank=True)  # "ok" or "failed"
    last_error = models.TextField(blank=True)
    last_items = models.PositiveIntegerField(default=0)
    last_started = models.PositiveIntegerField(default=0)


class PollSeen(models.Model):
    """A key of an item `trigger.poll` has seen for a flow; the newest `POLL_SEEN_LIMIT` are kept."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="poll_seen")
    key = models.CharField(max_length=255)
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["flow", "key"], name="poll_seen_once")]
