"""The Health API: failure patterns over time per flow and per node, and the dead letters' bulk replay.

`GET /api/v1/health/failures` aggregates in the database (a few GROUP BY queries and one window query,
whatever the number of runs); `POST /api/v1/runs/replay` replays many finished runs in one transaction.
Both cover only the flows of the caller's teams (every flow for an admin): another team's run is
unknown here, as everywhere in the API.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber, Substr, Trunc
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from flows import selectors, services
from flows.api import Replay, RunOut
from flows.models import FINISHED, Flow, Run, RunStatus, StepRun, StepStatus
from hub.problems import Conflict, ErrorItem, ValidationProblem
from hub.request_body import validated_body
from identity.models import ApiToken
from identity.permissions import request_token

MAX_DAYS = 90
MAX_REPLAYS = 100
TOP_ERRORS = 3
# Errors are grouped by their first characters: long messages often end in details that differ.
ERROR_PREFIX = 500
BUCKETS = {"hour": dt.timedelta(hours=1), "day": dt.timedelta(days=1)}

# --- reads ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FailureWindow:
    """`days` of `bucket`-sized buckets, aligned to UTC hours or days; the last one is the current one."""

    days: int
    bucket: str
    since: dt.datetime
    until: dt.datetime

    @classmethod
    def ending(cls, now: dt.datetime, *, days: int, bucket: str) -> FailureWindow:
        now = now.astimezone(dt.UTC)
        last = now.replace(minute=0, second=0, microsecond=0)
        if bucket == "day":
            last = last.replace(hour=0)
        count = days * 24 if bucket == "hour" else days
        return cls(days=days, bucket=bucket, since=last - BUCKETS[bucket] * (count - 1), until=now)


def failure_patterns(
    window: FailureWindow, *, user: Any, token: ApiToken | None = None, include_tests: bool = False
) -> list[dict[str, Any]]:
    """Per flow of the teams `user` sees: runs failed and succeeded per bucket; per node: steps
    likewise, and the top errors.

    Flows come most failing first (by failure rate, then by failures); so do the nodes in each flow.
    """
    team_ids = selectors.team_ids_seen_by(user, token)
    seen = Q() if team_ids is None else Q(flow__team_id__in=team_ids)
    kind = window.bucket
    finished = Q(finished_at__gte=window.since)
    outcome = {
        "failed": Count("id", filter=Q(status=RunStatus.FAILED)),
        "succeeded": Count("id", filter=Q(status=RunStatus.SUCCEEDED)),
    }
    runs = Run.objects.filter(seen, finished, status__in=[RunStatus.FAILED, RunStatus.SUCCEEDED])
    if not include_tests:
        runs = runs.filter(version__isnull=False)
    run_rows = (
        runs.annotate(start=Trunc("finished_at", kind, tzinfo=dt.UTC))
        .values("flow_id", "start")
        .annotate(**outcome)
        .order_by("flow_id", "start")
    )

    steps = StepRun.objects.filter(
        Q() if team_ids is None else Q(run__flow__team_id__in=team_ids),
        finished,
        finished_at__gte=F("run__created_at"),  # not a copy made by a replay from the failed step
        status__in=[StepStatus.FAILED, StepStatus.SUCCEEDED],
    )
    if not include_tests:
        steps = steps.filter(run__version__isnull=False)
    steps = steps.annotate(flow_id=F("run__flow_id"))
    step_rows = (
        steps.annotate(start=Trunc("finished_at", kind, tzinfo=dt.UTC))
        .values("flow_id", "node", "node_type", "start")
        .annotate(**outcome)
        .order_by("flow_id", "node", "start")
    )

    # One row per distinct error of a node: how often, and its latest occurrence.
    group = [F("flow_id"), F("node"), F("node_type"), F("message")]
    error_rows = (
        steps.filter(status=StepStatus.FAILED)
        .annotate(message=Substr("error", 1, ERROR_PREFIX))
        .annotate(
            count=Window(Count("id"), partition_by=group),
            rank=Window(RowNumber(), partition_by=group, order_by=[F("finished_at").desc(), F("id").desc()]),
        )
        .filter(rank=1)
        .values("flow_id", "node", "node_type", "message", "count", "run_id", "finished_at")
        .order_by()
    )

    flows: dict[str, dict[str, Any]] = {}

    def flow_entry(flow_id: Any) -> dict[str, Any]:
        key = str(flow_id)
        if key not in flows:
            flows[key] = {"id": key, "name": "", "runs": _tally(), "buckets": [], "nodes": {}}
        return flows[key]

    def node_entry(row: dict[str, Any]) -> dict[str, Any]:
        nodes = flow_entry(row["flow_id"])["nodes"]
        key = (row["node"], row["node_type"])
        if key not in nodes:
            nodes[key] = {
                "node": row["node"],
                "node_type": row["node_type"],
                **_tally(),
                "buckets": [],
                "errors": [],
            }
        return nodes[key]

    for row in _rows(run_rows):
        entry = flow_entry(row["flow_id"])
        entry["buckets"].append(_bucket(row))
        entry["runs"]["failed"] += row["failed"]
        entry["runs"]["succeeded"] += row["succeeded"]
    for row in _rows(step_rows):
        node = node_entry(row)
        node["buckets"].append(_bucket(row))
        node["failed"] += row["failed"]
        node["succeeded"] += row["succeeded"]
    for row in _rows(error_rows):
        node_entry(row)["errors"].append(
            {
                "message": row["message"],
                "count": row["count"],
                "latest_run": str(row["run_id"]),
                "latest_at": row["finished_at"],
            }
        )

    for flow_id, name in Flow.objects.filter(pk__in=list(flows)).values_list("id", "name"):
        flows[str(flow_id)]["name"] = name
    result = []
    for entry in flows.values():
        entry["runs"]["failure_rate"] = _rate(entry["runs"])
        nodes = list(entry["nodes"].values())
        for node in nodes:
            node["failure_rate"] = _rate(node)
            node["errors"] = sorted(node["errors"], key=lambda e: (-e["count"], e["message"]))[:TOP_ERRORS]
        entry["nodes"] = sorted(nodes, key=lambda n: (-n["failure_rate"], -n["failed"], n["node"]))
        result.append(entry)
    return sorted(result, key=lambda f: (-f["runs"]["failure_rate"], -f["runs"]["failed"], f["name"]))


def _rows(values: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [dict(row) for row in values]


def _tally() -> dict[str, int]:
    return {"failed": 0, "succeeded": 0}


def _bucket(row: dict[str, Any]) -> dict[str, Any]:
    return {"start": row["start"], "failed": row["failed"], "succeeded": row["succeeded"]}


def _rate(counts: dict[str, Any]) -> float:
    total = counts["failed"] + counts["succeeded"]
    return round(counts["failed"] / total, 4) if total else 0.0


# --- writes ---------------------------------------------------------------------------------------


def runs_replay_many(
    *, run_ids: list[uuid.UUID], user: Any, mode: str, token: ApiToken | None = None
) -> list[tuple[Run, Run]]:
    """Replay every run named, in one transaction: all of them, or none when any is unknown (to
    `user`: another team's run is unknown too) or not finished (each such id is named in the
    problem). Returns (original, replay) pairs in order."""
    wanted = list(dict.fromkeys(run_ids))
    found = selectors.runs_seen_by(user, token).select_related("flow", "version", "event").in_bulk(wanted)
    unknown, unfinished = [], []
    for index, run_id in enumerate(run_ids):
        run = found.get(run_id)
        if run is None:
            unknown.append(ErrorItem(field=f"runs[{index}]", message=f"No run has the id {run_id}."))
        elif run.status not in FINISHED:
            unfinished.append(
                ErrorItem(
                    field=f"runs[{index}]",
                    message=f"Run {run_id} is {run.status}; only a finished run can be replayed.",
                )
            )
    if unknown:
        raise ValidationProblem([*unknown, *unfinished])
    if unfinished:
        raise Conflict(
            f"{len(unfinished)} of the runs are not finished; nothing was replayed.", errors=unfinished
        )
    with transaction.atomic():
        return [
            (found[run_id], services.run_replay(run=found[run_id], user=user, mode=mode)) for run_id in wanted
        ]


# --- views ----------------------------------------------------------------------------------------


class FailureBucket(serializers.Serializer[Any]):
    start = serializers.DateTimeField(help_text="The bucket's start (UTC).")
    failed = serializers.IntegerField()
    succeeded = serializers.IntegerField()


FailurePatterns = inline_serializer(
    "FailurePatterns",
    {
        "days": serializers.IntegerField(),
        "bucket": serializers.ChoiceField(choices=list(BUCKETS)),
        "since": serializers.DateTimeField(help_text="The first bucket's start."),
        "until": serializers.DateTimeField(help_text="When the numbers were read."),
        "flows": inline_serializer(
            "FlowFailures",
            {
                "id": serializers.UUIDField(),
                "name": serializers.CharField(),
                "runs": inline_serializer(
                    "RunTally",
                    {
                        "failed": serializers.IntegerField(),
                        "succeeded": serializers.IntegerField(),
                        "failure_rate": serializers.FloatField(),
                    },
                ),
                "buckets": FailureBucket(
                    many=True, help_text="Runs per bucket, oldest first; empty ones left out."
                ),
                "nodes": inline_serializer(
                    "NodeFailures",
                    {
                        "node": serializers.CharField(),
                        "node_type": serializers.CharField(),
                        "failed": serializers.IntegerField(),
                        "succeeded": serializers.IntegerField(),
                        "failure_rate": serializers.FloatField(),
                        "buckets": FailureBucket(
                            many=True, help_text="Steps per bucket, oldest first; empty ones left out."
                        ),
                        "errors": inline_serializer(
                            "NodeError",
                            {
                                "message": serializers.CharField(),
                                "count": serializers.IntegerField(),
                                "latest_run": serializers.UUIDField(),
                                "latest_at": serializers.DateTimeField(),
                            },
                            many=True,
                        ),
                    },
                    many=True,
                ),
            },
            many=True,
        ),
    },
)


def _window_from(request: Request) -> tuple[FailureWindow, bool]:
    params = request.query_params
    problems = []
    days_text = params.get("days", "7").strip()
    days = int(days_text) if re.fullmatch(r"[0-9]{1,3}", days_text) else 0
    if not 1 <= days <= MAX_DAYS:
        problems.append(ErrorItem(field="days", message=f"`days` is a whole number from 1 to {MAX_DAYS}."))
    bucket = params.get("bucket", "day").strip()
    if bucket not in BUCKETS:
        problems.append(ErrorItem(field="bucket", message="`bucket` is `hour` or `day`."))
    if problems:
        raise ValidationProblem(problems)
    include_tests = params.get("include_tests", "").lower() in {"1", "true", "yes"}
    return FailureWindow.ending(timezone.now(), days=days, bucket=bucket), include_tests


class FailuresView(APIView):
    required_scopes = {"GET": "runs:read"}

    @extend_schema(
        operation_id="health_failures",
        parameters=[
            OpenApiParameter("days", int, description=f"How many days back, 1 to {MAX_DAYS} (default 7)."),
            OpenApiParameter("bucket", str, enum=list(BUCKETS), description="Bucket size (default `day`)."),
            OpenApiParameter(
                "include_tests", bool, description="Count test runs of drafts too (left out by default)."
            ),
        ],
        responses=FailurePatterns,
    )
    def get(self, request: Request) -> Response:
        window, include_tests = _window_from(request)
        return Response(
            {
                "days": window.days,
                "bucket": window.bucket,
                "since": window.since,
                "until": window.until,
                "flows": failure_patterns(
                    window, user=request.user, token=request_token(request), include_tests=include_tests
                ),
            }
        )


class BulkReplay(Replay):
    runs = serializers.ListField(
        child=serializers.UUIDField(),
        min_length=1,
        max_length=MAX_REPLAYS,
        help_text=f"The runs to replay (finished ones), at most {MAX_REPLAYS}.",
    )


BulkReplayOut = inline_serializer(
    "BulkReplayResult",
    {
        "replays": inline_serializer(
            "ReplayStarted",
            {"of": serializers.UUIDField(help_text="The run replayed."), "run": RunOut()},
            many=True,
        )
    },
)


class BulkReplayView(APIView):
    required_scopes = {"POST": "runs:write"}

    @extend_schema(operation_id="runs_replay_many", request=BulkReplay, responses={201: BulkReplayOut})
    def post(self, request: Request) -> Response:
        data = validated_body(BulkReplay, request)
        pairs = runs_replay_many(
            run_ids=data["runs"], user=request.user, mode=data["from"], token=request_token(request)
        )
        replays = (
            Run.objects.select_related("version", "event")
            .prefetch_related("steps")
            .in_bulk([replay.pk for _, replay in pairs])
        )
        return Response(
            {
                "replays": [
                    {"of": str(original.pk), "run": RunOut(replays[replay.pk]).data}
                    for original, replay in pairs
                ]
            },
            status=status.HTTP_201_CREATED,
        )
