"""Reads of the flows app: lists and details the API serves."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from flows.models import Flow, FlowVersion, Run, VersionState
from hub.problems import NotFound


def flow_list() -> QuerySet[Flow]:
    live = FlowVersion.objects.filter(flow=OuterRef("pk"), state=VersionState.APPROVED)
    return Flow.objects.select_related("owner").annotate(
        live_number=Subquery(live.values("number")[:1]),
        live_graph=Subquery(live.values("graph")[:1]),
    )


def flow_get(flow_id: Any) -> Flow:
    try:
        return flow_list().get(pk=flow_id)
    except Flow.DoesNotExist as exc:
        raise NotFound(f"No flow has the id {flow_id}.") from exc


def version_list(flow: Flow) -> QuerySet[FlowVersion]:
    return flow.versions.select_related("author", "decided_by").order_by("-number")


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
