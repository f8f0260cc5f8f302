"""The flows REST API (CONTRACT §3): one view per operation, serializers beside them.

Each view names the scope each of its methods needs (`required_scopes`, enforced by
`identity.permissions.ScopedPermission`); every read goes through `flows.selectors` as the signed-in
person sees it, so another team's flow, version or run answers 404 as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from flows import flow_templates, masking, selectors, services
from flows.diff import graph_diff
from flows.graph import SCHEMA, trigger_node
from flows.graph import validate as validate_graph
from flows.models import (
    DecisionKind,
    Flow,
    FlowVersion,
    Run,
    RunStatus,
    StepRun,
    TriggerEvent,
    VersionDecision,
    VersionState,
)
from flows.polling import poll_status
from hub.pagination import paginate
from hub.problems import ErrorItem, ValidationProblem
from hub.request_body import validated_body
from identity.permissions import request_token
from identity.selectors import is_admin
from nodes.selectors import policy_violations

# --- serializers ----------------------------------------------------------------------------------


def webhook_url(request: HttpRequest | None, flow: Flow, live_graph: dict[str, Any] | None) -> str | None:
    """The absolute URL of the flow's webhook, when its live version starts with one."""
    trigger = trigger_node(live_graph) if live_graph else None
    if trigger is None or trigger["type"] != "trigger.webhook":
        return None
    path = f"/hooks/{flow.webhook_key}"
    if settings.PUBLIC_URL:
        return settings.PUBLIC_URL + path
    return request.build_absolute_uri(path) if request is not None else path


class ProblemItem(serializers.Serializer[Any]):
    node = serializers.CharField(allow_null=True)
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class LastRun(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=RunStatus.choices)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


FLOW_STATES = ["draft", "pending", "live", "paused"]


def flow_state(flow: Flow) -> str:
    """What the flows list shows: paused, live, waiting for approval (pending), or only a draft."""
    live = getattr(flow, "live_number", None) is not None
    if live and flow.paused:
        return "paused"
    if live:
        return "live"
    return "pending" if getattr(flow, "has_pending", False) else "draft"


class TeamRef(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class FlowOut(serializers.ModelSerializer[Flow]):
    draft = serializers.JSONField(help_text="The draft graph: a switchboard.flow/v1 document.")
    team = TeamRef(read_only=True, help_text="The team the flow belongs to: its members see it.")
    live_version = serializers.SerializerMethodField()
    webhook_url = serializers.SerializerMethodField()
    owner = serializers.CharField(source="owner.username", default=None, allow_null=True)
    state = serializers.SerializerMethodField()
    trigger_type = serializers.SerializerMethodField()
    last_run = serializers.SerializerMethodField()

    class Meta:
        model = Flow
        fields = [
            "id",
            "name",
            "draft",
            "live_version",
            "paused",
            "webhook_url",
            "owner",
            "team",
            "state",
            "trigger_type",
            "last_run",
            "created_at",
            "updated_at",
        ]

    def get_live_version(self, flow: Flow) -> int | None:
        return getattr(flow, "live_number", None)

    @extend_schema_field(serializers.ChoiceField(choices=FLOW_STATES))
    def get_state(self, flow: Flow) -> str:
        return flow_state(flow)

    def get_trigger_type(self, flow: Flow) -> str | None:
        trigger = trigger_node(flow.draft) if isinstance(flow.draft, dict) else None
        return trigger["type"] if trigger else None

    @extend_schema_field(LastRun(allow_null=True))
    def get_last_run(self, flow: Flow) -> dict[str, Any] | None:
        # Annotated by selectors.flow_list().
        values = {
            key: getattr(flow, f"last_run_{key}", None)
            for key in ("id", "status", "created_at", "finished_at")
        }
        return values if values["id"] is not None else None

    def get_webhook_url(self, flow: Flow) -> str | None:
        return webhook_url(self.context.get("request"), flow, getattr(flow, "live_graph", None))


class PollStatus(serializers.Serializer[Any]):
    last_polled_at = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(choices=["ok", "failed"], allow_null=True)
    error = serializers.CharField(allow_null=True, help_text="Why the last poll failed.")
    items = serializers.IntegerField(help_text="Items in the last reply.")
    started = serializers.IntegerField(help_text="Runs the last poll started.")
    next_poll_at = serializers.DateTimeField()


class FlowDetailOut(FlowOut):
    """One flow, with what is still wrong with its draft, and how its polling stands (`trigger.poll`)."""

    problems = serializers.SerializerMethodField()
    poll = serializers.SerializerMethodField()

    class Meta(FlowOut.Meta):
        fields = [*FlowOut.Meta.fields, "problems", "poll"]

    @extend_schema_field(PollStatus(allow_null=True))
    def get_poll(self, flow: Flow) -> dict[str, Any] | None:
        return poll_status(flow)

    @extend_schema_field(ProblemItem(many=True))
    def get_problems(self, flow: Flow) -> list[dict[str, Any]]:
        return [asdict(problem) for problem in validate_graph(flow.draft)]

    def get_webhook_url(self, flow: Flow) -> str | None:
        return webhook_url(self.context.get("request"), flow, getattr(flow, "live_graph", None))


class DecisionOut(serializers.ModelSerializer[VersionDecision]):
    by = serializers.CharField(source="by.username", default=None, allow_null=True)
    self_approved = serializers.BooleanField(
        help_text="The author approved because nobody else could decide (a one-person team or instance)."
    )
    fewer_deciders = serializers.BooleanField(
        help_text="Fewer people could decide than the team's rule asks for; the ones there were sufficed."
    )

    class Meta:
        model = VersionDecision
        fields = ["by", "at", "comment", "self_approved", "fewer_deciders"]


class VersionOut(serializers.ModelSerializer[FlowVersion]):
    flow_name = serializers.CharField(source="flow.name", read_only=True)
    team = TeamRef(source="flow.team", read_only=True, help_text="The team of the version's flow.")
    author = serializers.CharField(source="author.username", default=None, allow_null=True)
    decided_by = serializers.CharField(source="decided_by.username", default=None, allow_null=True)
    graph = serializers.JSONField()
    required_approvals = serializers.IntegerField(
        help_text="How many different people (never the author) approve it before it goes live: the "
        "team's rule when it was submitted."
    )
    approvals = serializers.SerializerMethodField(help_text="Every approval so far, oldest first.")
    rejections = serializers.SerializerMethodField(help_text="The rejection, if it was rejected.")
    rollback_of = serializers.IntegerField(
        allow_null=True, help_text="For a roll back: the earlier version whose graph it brings back."
    )
    self_approval_allowed = serializers.SerializerMethodField(
        help_text="Nobody but its author may decide on it now (a one-person team or instance): the "
        "author's own approval then counts, marked as a self-approval."
    )

    class Meta:
        model = FlowVersion
        fields = [
            "flow",
            "flow_name",
            "number",
            "state",
            "author",
            "note",
            "graph",
            "created_at",
            "decided_by",
            "decided_at",
            "decision_comment",
            "self_approved",
            "team",
            "required_approvals",
            "approvals",
            "rejections",
            "rollback_of",
            "self_approval_allowed",
        ]

    def _decisions(self, version: FlowVersion, kind: str) -> list[dict[str, Any]]:
        # Prefetched by the selectors: sorted here rather than queried again.
        rows = sorted((d for d in version.decisions.all() if d.kind == kind), key=lambda d: (d.at, d.pk))
        return list(DecisionOut(rows, many=True).data)

    @extend_schema_field(DecisionOut(many=True))
    def get_approvals(self, version: FlowVersion) -> list[dict[str, Any]]:
        return self._decisions(version, DecisionKind.APPROVE)

    def get_self_approval_allowed(self, version: FlowVersion) -> bool:
        if version.state != VersionState.PENDING or version.author_id is None:
            return False
        # One answer per team for a whole list (the context is shared by a list's items).
        context = cast(dict[str, Any], self.context)  # DRF keeps a dict, typed as a Mapping
        known: dict[tuple[int, int], bool] = context.setdefault("_self_approval_allowed", {})
        key = (version.flow.team_id, version.author_id)
        if key not in known:
            known[key] = not selectors.version_others_may_decide(version)
        return known[key]

    @extend_schema_field(DecisionOut(many=True))
    def get_rejections(self, version: FlowVersion) -> list[dict[str, Any]]:
        return self._decisions(version, DecisionKind.REJECT)

    def to_representation(self, instance: FlowVersion) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if not reveals_sensitive(self.context):
            data["graph"] = masking.mask_graph(data["graph"])
        return data


class StepAttempt(serializers.Serializer[Any]):
    attempt = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=["succeeded", "retrying", "failed"])
    error = serializers.CharField(allow_blank=True)


class StepOut(serializers.ModelSerializer[StepRun]):
    input = serializers.JSONField()
    output = serializers.JSONField()
    attempt_log = StepAttempt(many=True, read_only=True, help_text="Each attempt, oldest first.")
    masked = serializers.SerializerMethodField(
        help_text="The step is a sensitive node's (or is fed by one): its input and/or output show "
        "only their top-level keys, each as `••••`. Admins see the data."
    )

    class Meta:
        model = StepRun
        fields = [
            "node",
            "node_type",
            "status",
            "attempts",
            "input",
            "output",
            "port",
            "error",
            "started_at",
            "finished_at",
            "resume_at",
            "attempt_log",
            "masked",
        ]

    def get_masked(self, step: StepRun) -> bool:
        return False  # set by the run's masking (`reveals_sensitive`), which knows the graph


FlowDocument = inline_serializer(
    name="FlowDocument",
    fields={
        "schema": serializers.CharField(default=SCHEMA),
        "name": serializers.CharField(),
        "nodes": serializers.ListField(child=serializers.JSONField()),
        "edges": serializers.ListField(child=serializers.JSONField()),
    },
)


class RunOut(serializers.ModelSerializer[Run]):
    version = serializers.IntegerField(
        source="version.number",
        default=None,
        allow_null=True,
        help_text="The version number; null for a test run of the draft.",
    )
    trigger = serializers.CharField(source="event.kind", help_text="What started the run.")
    output = serializers.JSONField()
    steps = StepOut(many=True, read_only=True)

    class Meta:
        model = Run
        fields = [
            "id",
            "flow",
            "version",
            "status",
            "trigger",
            "correlation_id",
            "replay_of",
            "created_at",
            "started_at",
            "finished_at",
            "resume_at",
            "error",
            "output",
            "steps",
        ]

    def to_representation(self, instance: Run) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if reveals_sensitive(self.context):
            return data
        return masking.mask_run(data, selectors.run_graph(instance))


def _version_data(request: Request, version: FlowVersion) -> Any:
    return VersionOut(version, context={"request": request}).data


def reveals_sensitive(context: Mapping[str, Any]) -> bool:
    """Whether the reader sees sensitive nodes' data: an admin. Without a request (and without an
    explicit `reveal_sensitive`), nobody does."""
    if "reveal_sensitive" in context:
        return bool(context["reveal_sensitive"])
    request = context.get("request")
    if request is None:
        return False
    # Asked once per request, not once per run of a list.
    if not hasattr(request, "_reveals_sensitive"):
        request._reveals_sensitive = is_admin(request.user)
    return bool(request._reveals_sensitive)


class RunDetailOut(RunOut):
    """One run, with the graph it executed: its version's, or the draft as it was for a test run."""

    graph = serializers.SerializerMethodField()

    class Meta(RunOut.Meta):
        fields = [*RunOut.Meta.fields, "graph"]

    @extend_schema_field(FlowDocument)
    def get_graph(self, run: Run) -> dict[str, Any]:
        return selectors.run_graph(run)


# Team ids are 64-bit; a bigger number is refused as a bad field rather than reaching the database.
TEAM_ID_MAX = 2**63 - 1


def team_id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=TEAM_ID_MAX, **kwargs)


class FlowCreate(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    graph = serializers.JSONField(help_text="A switchboard.flow/v1 document.")
    team = team_id_field(
        required=False,
        allow_null=True,
        help_text="The team the flow belongs to: one of yours (any, for an admin). "
        "By default your first team, or the default team when you are in none.",
    )


class FlowChange(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200, required=False)
    team = team_id_field(
        required=False,
        help_text="Move the flow to this team: you must be in both teams, or an admin. "
        "Recorded in the audit log as `flow.moved`.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Give a new `name`, a `team` to move the flow to, or both.")
        return attrs


class Draft(serializers.Serializer[Any]):
    graph = serializers.JSONField(help_text="A switchboard.flow/v1 document.")


class VersionSubmit(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class Decision(serializers.Serializer[Any]):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class Rollback(serializers.Serializer[Any]):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="Why; the new version's note reads “Roll back to version n: <note>”.",
    )


class RunPayload(serializers.Serializer[Any]):
    payload = serializers.JSONField(
        required=False, default=dict, help_text="The trigger's output for this run (any JSON)."
    )


class Replay(serializers.Serializer[Any]):
    from_ = serializers.ChoiceField(
        choices=["failed", "start"],
        default="failed",
        help_text="`failed` keeps the outputs of the steps that had succeeded.",
    )

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # `from` is a Python keyword
        return fields


Diff = inline_serializer(
    name="VersionDiff",
    fields={
        "from_version": serializers.IntegerField(allow_null=True),
        "to_version": serializers.IntegerField(),
        "nodes": inline_serializer(
            name="NodeChanges",
            fields={
                "added": serializers.ListField(child=serializers.JSONField()),
                "removed": serializers.ListField(child=serializers.JSONField()),
                "changed": serializers.ListField(
                    child=serializers.JSONField(),
                    help_text="`{id, type, changes: [{path, old, new, kind, masked?}]}`; `masked: true` "
                    "when the values are a secret or a sensitive node's config (shown as `••••`). "
                    "A move on the canvas or a rename is not a change.",
                ),
                "renamed": serializers.ListField(
                    child=serializers.JSONField(), help_text="`{id, from, to}`: nodes whose name changed."
                ),
            },
        ),
        "edges": inline_serializer(
            name="EdgeChanges",
            fields={
                "added": serializers.ListField(child=serializers.JSONField()),
                "removed": serializers.ListField(child=serializers.JSONField()),
            },
        ),
        "summary": serializers.ListField(
            child=serializers.CharField(),
            help_text="Every change as a plain sentence, the same the version page shows.",
        ),
        "details": serializers.ListField(
            child=inline_serializer(
                name="DiffSentence",
                fields={
                    "text": serializers.CharField(),
                    "kind": serializers.ChoiceField(choices=["added", "removed", "changed"]),
                    "subject": serializers.ChoiceField(choices=["node", "edge"]),
                    "node": serializers.CharField(allow_null=True),
                },
            ),
            help_text="The summary's sentences with what each is about (`node`: the node to point at on "
            "the canvas — in the newer version, or in the older one for a removed node).",
        ),
    },
)

RunAccepted = inline_serializer(
    name="RunAccepted", fields={"run_id": serializers.UUIDField(), "correlation_id": serializers.CharField()}
)


def _flow(request: Request, flow_id: Any) -> Flow:
    """The flow as the request sees it (404 for another team's)."""
    return selectors.flow_get(flow_id, user=request.user, token=request_token(request))


def _flow_response(request: Request, flow_id: Any, code: int = status.HTTP_200_OK) -> Response:
    return Response(FlowDetailOut(_flow(request, flow_id), context={"request": request}).data, status=code)


def _partial(request: Request) -> bool:
    return request.query_params.get("partial", "").lower() in {"1", "true", "yes"}


PARTIAL = OpenApiParameter(
    "partial",
    bool,
    description="Save an unfinished draft: only a document not shaped like a flow is "
    "refused, and the answer's `problems` lists what is still wrong.",
)


def _run(request: Request, run_id: Any) -> Run:
    """The run as the request sees it (404 for a run of another team's flow)."""
    return selectors.run_get(run_id, user=request.user, token=request_token(request))


def _run_response(request: Request, run: Run, code: int = status.HTTP_200_OK) -> Response:
    return Response(RunDetailOut(_run(request, run.pk), context={"request": request}).data, status=code)


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip().strip('"')
    if not key or len(key) > 255:
        raise ValidationProblem(
            [
                ErrorItem(
                    field="Idempotency-Key", message="The Idempotency-Key header must be 1 to 255 characters."
                )
            ]
        )
    return key


# --- flows ----------------------------------------------------------------------------------------


class FlowsView(APIView):
    required_scopes = {"GET": "flows:read", "POST": "flows:write"}

    @extend_schema(
        operation_id="flows_list",
        responses=FlowOut(many=True),
        parameters=[
            OpenApiParameter("search", str, description="Part of the flow's name."),
            OpenApiParameter("team", int, description="Only the flows of this team (its id)."),
        ],
    )
    def get(self, request: Request) -> Response:
        flows = selectors.flow_list(user=request.user, token=request_token(request))
        if search := request.query_params.get("search"):
            flows = flows.filter(name__icontains=search)
        if team := request.query_params.get("team"):
            if not team.isdigit():
                raise ValidationProblem([ErrorItem(field="team", message="`team` is a team's id, a number.")])
            flows = flows.filter(team_id=int(team))
        return paginate(self, flows, FlowOut)

    @extend_schema(
        operation_id="flows_create",
        request=FlowCreate,
        parameters=[PARTIAL],
        responses={201: FlowDetailOut},
        description="Create a flow in one of your teams (`team`; any team for an admin). A team you "
        "are not in is refused with a problem naming the `team` field.",
    )
    def post(self, request: Request) -> Response:
        data = validated_body(FlowCreate, request)
        flow = services.flow_create(
            user=request.user,
            name=data["name"],
            graph=data["graph"],
            partial=_partial(request),
            team_id=data.get("team"),
            token=request_token(request),
        )
        return _flow_response(request, flow.pk, status.HTTP_201_CREATED)


class FlowView(APIView):
    required_scopes = {"GET": "flows:read", "PATCH": "flows:write"}

    @extend_schema(operation_id="flows_read", responses=FlowDetailOut)
    def get(self, request: Request, flow_id: Any) -> Response:
        return _flow_response(request, flow_id)

    @extend_schema(
        operation_id="flows_rename",
        request=FlowChange,
        responses=FlowDetailOut,
        description="Rename the flow (`name`), move it to another team (`team`), or both.",
    )
    def patch(self, request: Request, flow_id: Any) -> Response:
        flow = _flow(request, flow_id)
        data = validated_body(FlowChange, request)
        services.flow_update(
            flow=flow,
            user=request.user,
            name=data.get("name"),
            team_id=data.get("team"),
            token=request_token(request),
        )
        return _flow_response(request, flow_id)


class ValidateView(APIView):
    required_scopes = {"POST": "flows:read"}  # nothing is stored

    @extend_schema(
        operation_id="flows_validate",
        request=Draft,
        responses=inline_serializer("ValidationResult", {"problems": ProblemItem(many=True)}),
    )
    def post(self, request: Request) -> Response:
        graph = validated_body(Draft, request)["graph"]
        return Response({"problems": [asdict(problem) for problem in validate_graph(graph)]})


class PolicyCheckIn(serializers.Serializer[Any]):
    graph = serializers.JSONField(
        required=False, help_text="A flow document to check instead of the stored draft (the editor's)."
    )


class PolicyCheckView(APIView):
    required_scopes = {"POST": "flows:read"}  # nothing is stored

    @extend_schema(
        operation_id="flows_policy_check",
        request=PolicyCheckIn,
        responses=inline_serializer("PolicyCheckResult", {"violations": ProblemItem(many=True)}),
    )
    def post(self, request: Request, flow_id: Any) -> Response:
        """The policy rules (nodes.policies) the draft breaks now, as submitting it would list them."""
        flow = _flow(request, flow_id)
        document = validated_body(PolicyCheckIn, request).get("graph", flow.draft)
        found = policy_violations(team_id=flow.team_id, document=document)
        return Response({"violations": [asdict(v.as_error()) for v in found]})


class TemplatesView(APIView):
    required_scopes = {"GET": "flows:read"}

    @extend_schema(
        operation_id="templates_list",
        responses=inline_serializer(
            "FlowTemplate",
            {
                "id": serializers.CharField(),
                "name": serializers.CharField(),
                "description": serializers.CharField(),
                "document": FlowDocument,
            },
            many=True,
        ),
    )
    def get(self, request: Request) -> Response:
        return Response(flow_templates.all_templates())


class DraftView(APIView):
    required_scopes = {"PUT": "flows:write"}

    @extend_schema(
        operation_id="flows_draft_replace", request=Draft, parameters=[PARTIAL], responses=FlowDetailOut
    )
    def put(self, request: Request, flow_id: Any) -> Response:
        flow = _flow(request, flow_id)
        graph = validated_body(Draft, request)["graph"]
        services.flow_draft_update(flow=flow, user=request.user, graph=graph, partial=_partial(request))
        return _flow_response(request, flow_id)


class PauseView(APIView):
    required_scopes = {"POST": "flows:write"}

    @extend_schema(operation_id="flows_pause", request=None, responses=FlowOut)
    def post(self, request: Request, flow_id: Any) -> Response:
        services.flow_set_paused(flow=_flow(request, flow_id), user=request.user, paused=True)
        return _flow_response(request, flow_id)


class ResumeView(APIView):
    required_scopes = {"POST": "flows:write"}

    @extend_schema(operation_id="flows_resume", request=None, responses=FlowOut)
    def post(self, request: Request, flow_id: Any) -> Response:
        services.flow_set_paused(flow=_flow(request, flow_id), user=request.user, paused=False)
        return _flow_response(request, flow_id)


class WebhookSecretView(APIView):
    required_scopes = {"POST": "flows:write"}

    @extend_schema(
        operation_id="flows_webhook_secret_rotate",
        request=None,
        responses={
            201: inline_serializer(
                "WebhookSecretCreated",
                {
                    "secret": serializers.CharField(
                        help_text="whsec_… — shown this once; the secret before keeps verifying for 24 hours."
                    )
                },
            )
        },
    )
    def post(self, request: Request, flow_id: Any) -> Response:
        secret = services.webhook_secret_rotate(flow=_flow(request, flow_id), user=request.user)
        return Response({"secret": secret}, status=status.HTTP_201_CREATED)


class ExportView(APIView):
    required_scopes = {"GET": "flows:read"}

    @extend_schema(operation_id="flows_export", responses=FlowDocument)
    def get(self, request: Request, flow_id: Any) -> Response:
        flow = _flow(request, flow_id)
        # A sensitive node's config values stay with admins (the editor still shows the team its draft).
        draft = flow.draft if is_admin(request.user) else masking.mask_graph(flow.draft) or {}
        response = Response({**draft, "schema": SCHEMA, "name": flow.name})
        response["Content-Disposition"] = f'attachment; filename="flow-{flow.pk}.json"'
        return response


class ImportQuery(serializers.Serializer[Any]):
    team = team_id_field(required=False)


class ImportView(APIView):
    required_scopes = {"POST": "flows:write"}

    @extend_schema(
        operation_id="flows_import",
        request=FlowDocument,
        parameters=[
            OpenApiParameter(
                "team",
                int,
                description="The team the flow belongs to: one of yours (any, for an admin); by default "
                "your first team. A query parameter, as the document itself is portable across instances.",
            )
        ],
        responses={201: FlowOut},
    )
    def post(self, request: Request) -> Response:
        query = ImportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        flow = services.flow_import(
            user=request.user,
            document=request.data,
            team_id=query.validated_data.get("team"),
            token=request_token(request),
        )
        return _flow_response(request, flow.pk, status.HTTP_201_CREATED)


# --- versions -------------------------------------------------------------------------------------


class VersionsView(APIView):
    required_scopes = {"GET": "flows:read", "POST": "flows:write"}

    @extend_schema(operation_id="versions_list", responses=VersionOut(many=True))
    def get(self, request: Request, flow_id: Any) -> Response:
        versions = selectors.version_list(_flow(request, flow_id))
        return paginate(self, versions, VersionOut, ordering=("-number",))

    @extend_schema(operation_id="versions_submit", request=VersionSubmit, responses={201: VersionOut})
    def post(self, request: Request, flow_id: Any) -> Response:
        data = validated_body(VersionSubmit, request)
        flow = _flow(request, flow_id)
        version = services.version_submit(flow=flow, user=request.user, note=data["note"])
        return Response(
            _version_data(request, selectors.version_get(flow, version.number)),
            status=status.HTTP_201_CREATED,
        )


class VersionInboxView(APIView):
    required_scopes = {"GET": "flows:read"}

    @extend_schema(
        operation_id="versions_across_flows",
        parameters=[
            OpenApiParameter(
                "state",
                str,
                enum=[s.value for s in VersionState],
                description="`pending` is the approvals inbox (of the flows of your teams; every "
                "flow's for an admin).",
            )
        ],
        responses=VersionOut(many=True),
    )
    def get(self, request: Request) -> Response:
        state = request.query_params.get("state")
        if state and state not in VersionState.values:
            raise ValidationProblem(
                [ErrorItem(field="state", message=f"`state` is one of {', '.join(VersionState.values)}.")]
            )
        return paginate(
            self,
            selectors.versions_by_state(state, user=request.user, token=request_token(request)),
            VersionOut,
        )


class VersionView(APIView):
    required_scopes = {"GET": "flows:read"}

    @extend_schema(operation_id="versions_read", responses=VersionOut)
    def get(self, request: Request, flow_id: Any, number: int) -> Response:
        return Response(_version_data(request, selectors.version_get(_flow(request, flow_id), number)))


class VersionDiffView(APIView):
    required_scopes = {"GET": "flows:read"}

    @extend_schema(
        operation_id="versions_diff",
        parameters=[
            OpenApiParameter(
                "against",
                int,
                description="The version to compare with; "
                "by default the one before (an empty flow for version 1).",
            )
        ],
        responses=Diff,
    )
    def get(self, request: Request, flow_id: Any, number: int) -> Response:
        flow = _flow(request, flow_id)
        version = selectors.version_get(flow, number)
        against = request.query_params.get("against")
        if against is not None and not against.isdigit():
            raise ValidationProblem([ErrorItem(field="against", message="`against` is a version number.")])
        base_number = int(against) if against is not None else number - 1
        base = selectors.version_get(flow, base_number) if base_number >= 1 else None
        diff = graph_diff(
            base.graph if base else {"nodes": [], "edges": []},
            version.graph,
            reveal_sensitive=is_admin(request.user),
        )
        return Response({"from_version": base.number if base else None, "to_version": number, **diff})


class _DecisionView(APIView):
    required_scopes = {"POST": "versions:approve"}
    decide: Any  # services.version_approve or services.version_reject

    def post(self, request: Request, flow_id: Any, number: int) -> Response:
        flow = _flow(request, flow_id)
        version = selectors.version_get(flow, number)
        comment = validated_body(Decision, request)["comment"]
        type(self).decide(version=version, user=request.user, comment=comment)
        return Response(_version_data(request, selectors.version_get(flow, number)))


@extend_schema_view(
    post=extend_schema(operation_id="versions_approve", request=Decision, responses=VersionOut)
)
class ApproveView(_DecisionView):
    decide = services.version_approve


@extend_schema_view(
    post=extend_schema(operation_id="versions_reject", request=Decision, responses=VersionOut)
)
class RejectView(_DecisionView):
    decide = services.version_reject


class RollbackView(APIView):
    required_scopes = {"POST": "flows:write"}

    @extend_schema(
        operation_id="versions_rollback",
        request=Rollback,
        responses={201: VersionOut},
        description="Bring back an earlier version that was live (now retired): a new pending version "
        "with its graph, reviewed and approved like any other. 409 for a version that never was live "
        "or is live now.",
    )
    def post(self, request: Request, flow_id: Any, number: int) -> Response:
        flow = _flow(request, flow_id)
        note = validated_body(Rollback, request)["note"]
        created = services.version_rollback(
            version=selectors.version_get(flow, number), user=request.user, note=note
        )
        return Response(
            _version_data(request, selectors.version_get(flow, created.number)),
            status=status.HTTP_201_CREATED,
        )


# --- runs -----------------------------------------------------------------------------------------


class TestRunView(APIView):
    required_scopes = {"POST": "flows:write"}  # runs the draft: part of editing it

    @extend_schema(operation_id="flows_test", request=RunPayload, responses={201: RunDetailOut})
    def post(self, request: Request, flow_id: Any) -> Response:
        flow = _flow(request, flow_id)
        payload = validated_body(RunPayload, request)["payload"]
        run = services.run_test(flow=flow, user=request.user, payload=payload)
        return _run_response(request, run, status.HTTP_201_CREATED)


class StartRunView(APIView):
    required_scopes = {"POST": "runs:write"}

    @extend_schema(
        operation_id="flows_start_run",
        request=RunPayload,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="A repeat with the same key returns the first run (200).",
            )
        ],
        responses={201: RunDetailOut, 200: RunDetailOut},
    )
    def post(self, request: Request, flow_id: Any) -> Response:
        flow = _flow(request, flow_id)
        run, created = services.run_start_live(
            flow=flow,
            kind=TriggerEvent.Kind.MANUAL,
            payload=validated_body(RunPayload, request)["payload"],
            idempotency_key=_idempotency_key(request),
            user=request.user,
        )
        return _run_response(request, run, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class RunsView(APIView):
    required_scopes = {"GET": "runs:read"}

    @extend_schema(
        operation_id="runs_list",
        parameters=[
            OpenApiParameter("flow", OpenApiTypes.UUID, description="Only this flow's runs."),
            OpenApiParameter("status", str, enum=[s.value for s in RunStatus]),
            OpenApiParameter("correlation_id", str),
        ],
        responses=RunOut(many=True),
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        problems = []
        if params.get("status") and params["status"] not in RunStatus.values:
            problems.append(
                ErrorItem(field="status", message=f"`status` is one of {', '.join(RunStatus.values)}.")
            )
        if params.get("flow"):
            try:
                serializers.UUIDField().to_internal_value(params["flow"])
            except serializers.ValidationError:
                problems.append(ErrorItem(field="flow", message="`flow` is a flow id (a UUID)."))
        if problems:
            raise ValidationProblem(problems)
        runs = selectors.run_list(
            user=request.user,
            token=request_token(request),
            flow=params.get("flow"),
            status=params.get("status"),
            correlation_id=params.get("correlation_id"),
        ).prefetch_related("steps")
        return paginate(self, runs.select_related("event", "version"), RunOut)


class RunView(APIView):
    required_scopes = {"GET": "runs:read"}

    @extend_schema(operation_id="runs_read", responses=RunDetailOut)
    def get(self, request: Request, run_id: Any) -> Response:
        return _run_response(request, _run(request, run_id))


class ReplayView(APIView):
    required_scopes = {"POST": "runs:write"}

    @extend_schema(operation_id="runs_replay", request=Replay, responses={201: RunDetailOut})
    def post(self, request: Request, run_id: Any) -> Response:
        data = validated_body(Replay, request)
        replay = services.run_replay(run=_run(request, run_id), user=request.user, mode=data["from"])
        return _run_response(request, replay, status.HTTP_201_CREATED)


class CancelView(APIView):
    required_scopes = {"POST": "runs:write"}

    @extend_schema(operation_id="runs_cancel", request=None, responses=RunDetailOut)
    def post(self, request: Request, run_id: Any) -> Response:
        run = services.run_cancel(run=_run(request, run_id), user=request.user)
        return _run_response(request, run)
