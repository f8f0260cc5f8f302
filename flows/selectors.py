"""Reads of the flows app: lists and details the API serves, each as a given person sees them.

A person sees the flows of the teams they belong to, and those flows' versions and runs; an admin
sees every team's — through a token only when the token carries `admin` too, as for the teams
themselves (`identity.selectors.team_list`). Anything outside is answered as if it did not exist
(404, not 403), so that ids of other teams' flows reveal nothing.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Exists, Model, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from flows.models import Flow, FlowVersion, Run, VersionDecision, VersionState, WebhookSecret
from hub import crypto
from hub.problems import NotFound
from identity import selectors as identity
from identity.models import ApiToken

M = TypeVar("M", bound=Model)


def team_ids_seen_by(user: Any, token: ApiToken | None = None) -> list[int] | None:
    """The ids of the teams whose flows a request sees, or None for every team (an admin, and through
    a token only one that carries `admin` too)."""
    return None if identity.request_is_admin(user, token) else identity.user_team_ids(user)


def _seen_by(rows: QuerySet[M], user: Any, token: ApiToken | None, team_field: str) -> QuerySet[M]:
    """`rows` narrowed to those whose flow's team (`team_field`, a lookup path) the request sees."""
    team_ids = team_ids_seen_by(user, token)
    return rows if team_ids is None else rows.filter(**{f"{team_field}__in": team_ids})


def flow_list(*, user: Any, token: ApiToken | None = None) -> QuerySet[Flow]:
    """The flows a request (`user`, through `token` if any) sees, with what their list shows: the
    live version, whether one waits for approval, the last run."""
    live = FlowVersion.objects.filter(flow=OuterRef("pk"), state=VersionState.APPROVED)
    last_run = Run.objects.filter(flow=OuterRef("pk")).order_by("-created_at")
    flows = Flow.objects.select_related("owner", "team").annotate(
        live_number=Subquery(live.values("number")[:1]),
        live_graph=Subquery(live.values("graph")[:1]),
        has_pending=Exists(FlowVersion.objects.filter(flow=OuterRef("pk"), state=VersionState.PENDING)),
        last_run_id=Subquery(last_run.values("id")[:1]),
        last_run_status=Subquery(last_run.values("status")[:1]),
        last_run_created_at=Subquery(last_run.values("created_at")[:1]),
        last_run_finished_at=Subquery(last_run.values("finished_at")[:1]),
    )
    return _seen_by(flows, user, token, "team_id")


def flow_get(flow_id: Any, *, user: Any, token: ApiToken | None = None) -> Flow:
    """One flow the request sees; 404 for another team's, exactly as for one that does not exist."""
    try:
        return flow_list(user=user, token=token).get(pk=flow_id)
    except (Flow.DoesNotExist, ValueError) as exc:
        raise NotFound(f"No flow has the id {flow_id}.") from exc


def _with_decisions(versions: QuerySet[FlowVersion]) -> QuerySet[FlowVersion]:
    """Versions with what their API shape shows: flow and team, author, every decision and its maker."""
    return versions.select_related("author", "decided_by", "flow__team").prefetch_related(
        Prefetch("decisions", queryset=VersionDecision.objects.select_related("by"))
    )


def version_list(flow: Flow) -> QuerySet[FlowVersion]:
    """The versions of a flow already read through `flow_get` (which decided who sees it)."""
    return _with_decisions(flow.versions.all()).order_by("-number")


def versions_by_state(
    state: str | None, *, user: Any, token: ApiToken | None = None
) -> QuerySet[FlowVersion]:
    """Versions across the flows the request sees, newest first: the approvals inbox with `pending`."""
    versions = _seen_by(_with_decisions(FlowVersion.objects.all()), user, token, "flow__team_id")
    return versions.filter(state=state) if state else versions


def version_get(flow: Flow, number: int) -> FlowVersion:
    version = version_list(flow).filter(number=number).first()
    if version is None:
        raise NotFound(f"The flow has no version {number}.")
    return version


def version_other_deciders(version: FlowVersion) -> QuerySet[Any]:
    """The people who may decide on a version but its author (four eyes): those it waits for."""
    people = identity.deciders(team_id=version.flow.team_id)
    return people if version.author_id is None else people.exclude(pk=version.author_id)


def version_others_may_decide(version: FlowVersion) -> bool:
    """Whether anyone but the version's author may decide on it now; if nobody may (a one-person
    team or instance), the author's own approval counts, as a self-approval."""
    return version_other_deciders(version).exists()


def runs_seen_by(user: Any, token: ApiToken | None = None) -> QuerySet[Run]:
    """Every run of the flows the request sees."""
    return _seen_by(Run.objects.all(), user, token, "flow__team_id")


def run_list(
    *,
    user: Any,
    token: ApiToken | None = None,
    flow: str | None = None,
    status: str | None = None,
    correlation_id: str | None = None,
) -> QuerySet[Run]:
    runs = runs_seen_by(user, token).select_related("version")
    if flow:
        runs = runs.filter(flow_id=flow)
    if status:
        runs = runs.filter(status=status)
    if correlation_id:
        runs = runs.filter(correlation_id=correlation_id)
    return runs


def run_get(run_id: Any, *, user: Any = None, token: ApiToken | None = None) -> Run:
    """One run as the request sees it (404 for another team's); without a user, any run: that is for
    the engine and the live updates, which act for no one."""
    runs = Run.objects.all() if user is None else runs_seen_by(user, token)
    try:
        return runs.select_related("version", "event").prefetch_related("steps").get(pk=run_id)
    except (Run.DoesNotExist, ValueError) as exc:
        raise NotFound(f"No run has the id {run_id}.") from exc


def run_graph(run: Run) -> dict[str, Any]:
    """The flow document a run executes: its version's, or for a test run the draft as it was then."""
    return (run.version.graph if run.version is not None else run.graph) or {}


def run_is_seen_by(run_id: Any, user: Any) -> bool:
    """Whether `user`, signed in through the browser, sees the run (the websocket asks before it
    streams one)."""
    return runs_seen_by(user).filter(pk=run_id).exists()


def webhook_secrets_valid(flow_id: Any) -> list[str]:
    """The flow's webhook signing secrets that verify now: the newest, and any in its overlap window."""
    now = timezone.now()
    rows = WebhookSecret.objects.filter(flow_id=flow_id).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )
    return [crypto.decrypt(row.secret_encrypted) for row in rows.order_by("-created_at")]


def flows_using_node_types(prefix: str) -> list[str]:
    """What uses a node type starting with `prefix` (e.g. an imported connector's `connector.crm.`): each
    flow whose draft, pending version or live version has such a node, as "flow 'Orders' (draft, live)"."""

    def uses(document: Any) -> bool:
        nodes = document.get("nodes") if isinstance(document, dict) else None
        return any(
            isinstance(node, dict) and str(node.get("type", "")).startswith(prefix)
            for node in (nodes if isinstance(nodes, list) else [])
        )

    found: dict[Any, tuple[str, list[str]]] = {}
    for flow_id, name, draft in Flow.objects.values_list("pk", "name", "draft").iterator():
        if uses(draft):
            found.setdefault(flow_id, (name, []))[1].append("draft")
    live_or_pending = FlowVersion.objects.filter(state__in=[VersionState.PENDING, VersionState.APPROVED])
    for flow_id, name, number, state, graph in live_or_pending.values_list(
        "flow_id", "flow__name", "number", "state", "graph"
    ).iterator():
        if uses(graph):
            label = f"version {number} ({'live' if state == VersionState.APPROVED else state})"
            found.setdefault(flow_id, (name, []))[1].append(label)
    return [f"flow {name!r} ({', '.join(where)})" for name, where in found.values()]
