"""Reads of the flows app: lists and details the API serves."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from flows.models import Flow, FlowVersion, Run, VersionState, WebhookSecret
from hub import crypto
from hub.problems import NotFound


def flow_list() -> QuerySet[Flow]:
    """Flows with what their list shows: the live version, whether one waits for approval, the last run."""
    live = FlowVersion.objects.filter(flow=OuterRef("pk"), state=VersionState.APPROVED)
    last_run = Run.objects.filter(flow=OuterRef("pk")).order_by("-created_at")
    return Flow.objects.select_related("owner").annotate(
        live_number=Subquery(live.values("number")[:1]),
        live_graph=Subquery(live.values("graph")[:1]),
        has_pending=Exists(FlowVersion.objects.filter(flow=OuterRef("pk"), state=VersionState.PENDING)),
        last_run_id=Subquery(last_run.values("id")[:1]),
        last_run_status=Subquery(last_run.values("status")[:1]),
        last_run_created_at=Subquery(last_run.values("created_at")[:1]),
        last_run_finished_at=Subquery(last_run.values("finished_at")[:1]),
    )


def flow_get(flow_id: Any) -> Flow:
    try:
        return flow_list().get(pk=flow_id)
    except Flow.DoesNotExist as exc:
        raise NotFound(f"No flow has the id {flow_id}.") from exc


def version_list(flow: Flow) -> QuerySet[FlowVersion]:
    return flow.versions.select_related("author", "decided_by").order_by("-number")


def versions_by_state(state: str | None) -> QuerySet[FlowVersion]:
    """Versions across flows, newest first: the approvals inbox with `pending`."""
    versions = FlowVersion.objects.select_related("author", "decided_by", "flow")
    return versions.filter(state=state) if state else versions


def version_get(flow: Flow, number: int) -> FlowVersion:
    version = version_list(flow).filter(number=number).first()
    if version is None:
        raise NotFound(f"The flow has no version {number}.")
    return version


def run_list(
    *, flow: str | None = None, status: str | None = None, correlation_id: str | None = None
) -> QuerySet[Run]:
    runs = Run.objects.select_related("version")
    if flow:
        runs = runs.filter(flow_id=flow)
    if status:
        runs = runs.filter(status=status)
    if correlation_id:
        runs = runs.filter(correlation_id=correlation_id)
    return runs


def run_get(run_id: Any) -> Run:
    try:
        return Run.objects.select_related("version", "event").prefetch_related("steps").get(pk=run_id)
    except Run.DoesNotExist as exc:
        raise NotFound(f"No run has the id {run_id}.") from exc


def webhook_secrets_valid(flow_id: Any) -> list[str]:
    """The flow's webhook signing secrets that verify now: the newest, and any in its overlap window."""
    now = timezone.now()
    rows = WebhookSecret.objects.filter(flow_id=flow_id).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )
    return [crypto.decrypt(row.secret_encrypted) for row in rows.order_by("-created_at")]
