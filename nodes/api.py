"""Node types, the expression language, connections, the policies on node use, the built-in data tables
and the canonical schemas over the API.

Anyone who may read flows may read node types and the connections they may use (the editor needs
them); builders make connections for their teams or for themselves, admins instance-wide ones too.
Secrets go in and never come out. Policies are admins' alone. Data
tables are seen by their team's members (admins see all); their rows are run data, so reading them
takes runs:read, and removing a table is a builder's (of its team) or an admin's. Builders
import connectors from OpenAPI documents (their operations become node types) and delete unused ones.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.pagination import paginate
from hub.problems import ErrorItem, Forbidden, ValidationProblem
from hub.request_body import validated_body
from identity import selectors as identity_selectors
from identity.models import Team
from identity.permissions import request_token
from nodes import canonical, connection_kinds, expressions, policies, registry, selectors, services
from nodes.models import (
    Connection,
    Connector,
    ConnectorVersion,
    DataTable,
    DlpGroup,
    DlpPolicy,
    TableRow,
    TeamPolicy,
)


class NodeTypeOut(serializers.Serializer[Any]):
    type = serializers.CharField()
    title = serializers.CharField()
    category = serializers.ChoiceField(choices=["trigger", "transform", "action"])
    description = serializers.CharField()
    config_schema = serializers.JSONField(help_text="JSON Schema (2020-12) of the node's config.")
    ports = serializers.ListField(child=serializers.CharField(), help_text="Output ports.")
    config_ports = inline_serializer(
        name="ConfigPorts",
        fields={"list": serializers.CharField(), "key": serializers.CharField()},
        allow_null=True,
        help_text="More output ports named in the config: each item of config[list] adds the port item[key].",
    )
    inputs = serializers.ListField(
        child=serializers.CharField(), help_text="Input ports (none for triggers)."
    )
    example = serializers.JSONField(allow_null=True, help_text="An example config, for the node catalog.")


class NodeTypesView(APIView):
    required_scopes = {"GET": "flows:read"}

    @extend_schema(operation_id="node_types_list", responses=NodeTypeOut(many=True))
    def get(self, request: Request) -> Response:
        return Response([t.describe() for t in registry.registry.all()])


class LogicRule(serializers.Serializer[Any]):
    rule = serializers.JSONField(allow_null=True, help_text="A JsonLogic rule.")
    data = serializers.JSONField(  # type: ignore[assignment]  # the field is named `data` in the contract
        required=False, default=None, allow_null=True
    )


LogicOut = inline_serializer(name="LogicResult", fields={"result": serializers.JSONField(allow_null=True)})


class LogicEvaluateView(APIView):
    required_scopes = {"POST": "flows:read"}  # evaluates; stores nothing

    @extend_schema(operation_id="logic_evaluate", request=LogicRule, responses=LogicOut)
    def post(self, request: Request) -> Response:
        body = validated_body(LogicRule, request)
        try:
            result = expressions.apply(body["rule"], body["data"])
        except expressions.ExpressionError as error:
            raise ValidationProblem([ErrorItem(field="rule", message=str(error))]) from error
        return Response({"result": result})


# --- connections ---------------------------------------------------------------------------------


class ConnectionKindOut(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=Connection.Kind.choices)
    title = serializers.CharField()
    description = serializers.CharField()
    settings_schema = serializers.JSONField(help_text="JSON Schema of the kind's non-secret settings.")
    secret = inline_serializer(
        name="ConnectionKindSecret",
        fields={
            "title": serializers.CharField(),
            "description": serializers.CharField(),
            "required": serializers.BooleanField(),
        },
        allow_null=True,
        help_text="What the secret is (null: the kind has none).",
    )
    oauth = serializers.BooleanField(help_text="Authorized through OAuth2 (the Authorize button).")


class ConnectionKindsView(APIView):
    required_scopes = {"GET": "flows:read"}

    @extend_schema(operation_id="connection_kinds_list", responses=ConnectionKindOut(many=True))
    def get(self, request: Request) -> Response:
        return Response([kind.describe() for kind in connection_kinds.KINDS.values()])


class ConnectionOut(serializers.ModelSerializer[Connection]):
    team_name = serializers.CharField(source="team.name", allow_null=True, read_only=True, default=None)
    owner = serializers.SerializerMethodField()
    settings = serializers.JSONField(help_text="The kind's non-secret settings.")
    authorized = serializers.SerializerMethodField(
        help_text="oauth2: whether a token is stored (authorized, or got once). false for other kinds."
    )
    fingerprint = serializers.CharField(
        help_text="A short tag telling secrets apart (never the secret); empty when there is none."
    )

    class Meta:
        model = Connection
        fields = [
            "id",
            "name",
            "kind",
            "team",
            "team_name",
            "personal",
            "owner",
            "settings",
            "fingerprint",
            "authorized",
            "token_expires_at",
            "created_at",
            "updated_at",
        ]

    def get_owner(self, connection: Connection) -> str | None:
        return connection.owner.get_username() if connection.owner else None

    def get_authorized(self, connection: Connection) -> bool:
        return connection.kind == Connection.Kind.OAUTH2 and bool(connection.token_encrypted)


SECRET_HELP = (
    "The secret (API key, password, token, client secret, webhook URL). Write-only: never returned. "
    "For webhook_secret leave it out to have a new whsec_… secret made (shown once)."
)


class ConnectionCreate(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Connection.Kind.choices)
    team = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="Share it with this team (one of yours; any for an admin). Leave out with personal "
        "false for an instance-wide connection (admins only).",
    )
    personal = serializers.BooleanField(
        required=False, default=False, help_text="Yours alone: only flows you own may use it."
    )
    settings = serializers.JSONField(required=False, default=dict, help_text="The kind's settings.")
    secret = serializers.CharField(
        required=False, allow_blank=True, write_only=True, max_length=4096, help_text=SECRET_HELP
    )


class ConnectionCreated(ConnectionOut):
    secret = serializers.CharField(allow_null=True, help_text="The secret made for you, shown this once.")

    class Meta(ConnectionOut.Meta):
        fields = [*ConnectionOut.Meta.fields, "secret"]


class ConnectionUpdate(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200, required=False)
    settings = serializers.JSONField(required=False, help_text="Replaces the settings (all of them).")
    secret = serializers.CharField(
        required=False, allow_blank=True, write_only=True, max_length=4096, help_text="Replaces the secret."
    )


class ConnectionTestOut(serializers.Serializer[Any]):
    ok = serializers.BooleanField()
    message = serializers.CharField()
    status = serializers.IntegerField(allow_null=True, help_text="The status base_url answered, if called.")


AuthorizeOut = inline_serializer(name="ConnectionAuthorize", fields={"authorize_url": serializers.URLField()})


def _create_scope(request: Request, data: dict[str, Any]) -> Team | None:
    """The team of a new connection, refusing scopes the person may not create."""
    team_id, personal = data.get("team"), data.get("personal", False)
    is_admin = identity_selectors.request_is_admin(request.user, request_token(request))
    if personal and team_id is not None:
        raise ValidationProblem(
            [ErrorItem(field="personal", message="A personal connection belongs to no team: leave out team.")]
        )
    if team_id is None:
        if not personal and not is_admin:
            raise Forbidden(
                "Only admins create instance-wide connections; share it with one of your teams or make it "
                "personal.",
                errors=[ErrorItem(field="team", message="Choose one of your teams, or personal.")],
            )
        return None
    team = identity_selectors.team_get(team_id)
    if team is None:
        raise ValidationProblem([ErrorItem(field="team", message=f"No team has the id {team_id}.")])
    if not is_admin and team.pk not in identity_selectors.user_team_ids(request.user):
        raise Forbidden(
            f"You are not in team {team.name}: share connections with your own teams.",
            errors=[ErrorItem(field="team", message=f"You are not in team {team.name}.")],
        )
    return team


def _visible(request: Request, connection_id: Any) -> Connection:
    return selectors.connection_visible_get(connection_id, user=request.user, token=request_token(request))


def _changeable(request: Request, connection_id: Any) -> Connection:
    connection = _visible(request, connection_id)
    if not selectors.connection_may_change(connection, user=request.user, token=request_token(request)):
        raise Forbidden(
            "Only admins, its owner or the members of its team may change the connection "
            f"'{connection.name}'."
        )
    return connection


class ConnectionsView(APIView):
    required_scopes = {"GET": "flows:read", "POST": "flows:write"}

    @extend_schema(
        operation_id="connections_list",
        responses=ConnectionOut(many=True),
        description="The connections you may use: your teams', instance-wide ones and your personal "
        "ones (every one for an admin). Secrets are never returned.",
    )
    def get(self, request: Request) -> Response:
        visible = selectors.connections_visible(user=request.user, token=request_token(request))
        return paginate(self, visible, ConnectionOut)

    @extend_schema(
        operation_id="connections_create",
        request=ConnectionCreate,
        responses={201: ConnectionCreated},
        description="Create a connection shared with one of your teams (`team`), personal (`personal`), "
        "or instance-wide (neither; admins only). Problems name the field, e.g. `settings.token_url`.",
    )
    def post(self, request: Request) -> Response:
        data = validated_body(ConnectionCreate, request)
        team = _create_scope(request, data)
        connection, made = services.connection_create(
            user=request.user,
            name=data["name"],
            kind=data["kind"],
            secret=data.get("secret") or None,
            settings=data.get("settings"),
            team=team,
            personal=bool(data.get("personal")),
        )
        connection = selectors.connection_get(connection.pk)
        return Response({**ConnectionOut(connection).data, "secret": made}, status=201)


class ConnectionView(APIView):
    required_scopes = {"GET": "flows:read", "PATCH": "flows:write", "DELETE": "flows:write"}

    @extend_schema(operation_id="connections_read", responses=ConnectionOut)
    def get(self, request: Request, connection_id: Any) -> Response:
        return Response(ConnectionOut(_visible(request, connection_id)).data)

    @extend_schema(
        operation_id="connections_update",
        request=ConnectionUpdate,
        responses=ConnectionOut,
        description="Rename, replace the settings or the secret. New credentials drop stored OAuth2 tokens.",
    )
    def patch(self, request: Request, connection_id: Any) -> Response:
        connection = _changeable(request, connection_id)
        data = validated_body(ConnectionUpdate, request)
        updated = services.connection_update(
            user=request.user,
            connection=connection,
            name=data.get("name"),
            settings=data.get("settings"),
            secret=data.get("secret"),
        )
        return Response(ConnectionOut(updated).data)

    @extend_schema(operation_id="connections_delete", responses={204: None})
    def delete(self, request: Request, connection_id: Any) -> Response:
        services.connection_delete(user=request.user, connection=_changeable(request, connection_id))
        return Response(status=204)


class ConnectionTestView(APIView):
    required_scopes = {"POST": "flows:write"}

    @extend_schema(
        operation_id="connections_test",
        request=None,
        responses=ConnectionTestOut,
        description="Try the connection: an oauth2 one obtains a token; then, when `base_url` is set, it "
        "is called (GET) with the credentials. The answer never holds the secret.",
    )
    def post(self, request: Request, connection_id: Any) -> Response:
        return Response(services.connection_test(connection=_visible(request, connection_id)))


class ConnectionAuthorizeView(APIView):
    required_scopes = {"POST": "flows:write"}

    @extend_schema(
        operation_id="connections_authorize",
        request=None,
        responses=AuthorizeOut,
        description="Start the OAuth2 authorization-code grant: send the browser to `authorize_url`. The "
        "provider sends it back to `/connections/oauth/callback` (register that redirect URI with it).",
    )
    def post(self, request: Request, connection_id: Any) -> Response:
        connection = _changeable(request, connection_id)
        url = services.connection_authorize_start(
            user=request.user, connection=connection, base_url=request.build_absolute_uri("/")
        )
        return Response({"authorize_url": url})


# --- policies on node use (admins) ----------------------------------------------------------------

MAX_POLICY_ITEMS = 500


class PolicyTeamRef(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TeamPolicyIn(serializers.Serializer[Any]):
    allowed_node_types = serializers.ListField(
        child=serializers.JSONField(),
        max_length=MAX_POLICY_ITEMS,
        help_text="Node types the team's flows may use; `trigger.*`, `transform.*`, `connector.*` and "
        "`connector.<name>.*` allow a whole group. Empty: every type.",
    )
    allowed_hosts = serializers.ListField(
        child=serializers.JSONField(),
        max_length=MAX_POLICY_ITEMS,
        help_text="Hosts action.http, action.webhook and connector operations may call; `*.example.com` "
        "allows every subdomain of example.com. Empty: any public host (EGRESS_ALLOW still applies).",
    )
    require_sensitive = serializers.ListField(
        child=serializers.JSONField(),
        max_length=MAX_POLICY_ITEMS,
        help_text='Node types whose nodes must be marked `"sensitive": true`.',
    )


class TeamPolicyOut(serializers.Serializer[Any]):
    team = PolicyTeamRef()
    allowed_node_types = serializers.ListField(child=serializers.CharField())
    allowed_hosts = serializers.ListField(child=serializers.CharField())
    require_sensitive = serializers.ListField(child=serializers.CharField())
    updated_at = serializers.DateTimeField(allow_null=True)
    updated_by = serializers.CharField(allow_null=True)


def _team_policy_data(policy: TeamPolicy) -> dict[str, Any]:
    return {
        "team": {"id": policy.team.pk, "name": policy.team.name},
        "allowed_node_types": list(policy.allowed_node_types),
        "allowed_hosts": list(policy.allowed_hosts),
        "require_sensitive": list(policy.require_sensitive),
        "updated_at": policy.updated_at if policy.pk and policy.updated_at else None,
        "updated_by": policy.updated_by.get_username() if policy.updated_by else None,
    }


def _node_types(values: list[Any], name: str, *, wildcards: bool) -> tuple[list[str], list[ErrorItem]]:
    problems = [
        ErrorItem(field=f"{name}[{index}]", message=message)
        for index, value in enumerate(values)
        if (message := policies.node_type_problem(value, wildcards=wildcards)) is not None
    ]
    return [str(value) for value in values], problems


def _hosts(values: list[Any]) -> tuple[list[str], list[ErrorItem]]:
    hosts, problems = [], []
    for index, value in enumerate(values):
        host, message = policies.host_pattern_problem(value)
        if host is None:
            problems.append(ErrorItem(field=f"allowed_hosts[{index}]", message=message))
        else:
            hosts.append(host)
    return hosts, problems


class TeamPolicyView(APIView):
    required_scopes = {"GET": "admin", "PUT": "admin"}

    @extend_schema(operation_id="team_policy_read", responses=TeamPolicyOut)
    def get(self, request: Request, team_id: int) -> Response:
        team = identity_selectors.team_get_or_404(team_id)
        return Response(_team_policy_data(selectors.team_policy_get(team)))

    @extend_schema(operation_id="team_policy_replace", request=TeamPolicyIn, responses=TeamPolicyOut)
    def put(self, request: Request, team_id: int) -> Response:
        team = identity_selectors.team_get_or_404(team_id)
        data = validated_body(TeamPolicyIn, request)
        types, type_problems = _node_types(data["allowed_node_types"], "allowed_node_types", wildcards=True)
        hosts, host_problems = _hosts(data["allowed_hosts"])
        sensitive, sensitive_problems = _node_types(
            data["require_sensitive"], "require_sensitive", wildcards=False
        )
        if problems := type_problems + host_problems + sensitive_problems:
            raise ValidationProblem(problems)
        policy = services.team_policy_update(
            user=request.user,
            team=team,
            allowed_node_types=types,
            allowed_hosts=hosts,
            require_sensitive=sensitive,
        )
        return Response(_team_policy_data(policy))


DLP_GROUPS = [group.value for group in DlpGroup]


class DlpPolicyIn(serializers.Serializer[Any]):
    classification = serializers.DictField(
        child=serializers.JSONField(),
        help_text="node type → `business`, `non_business` or `blocked`. Types not named take "
        "`default_group`, except transforms, trigger.manual and trigger.schedule, which stay outside "
        "DLP unless named here.",
    )
    default_group = serializers.ChoiceField(
        choices=DLP_GROUPS, default=DlpGroup.NON_BUSINESS.value, help_text="The group of types not named."
    )


class DlpPolicyOut(serializers.Serializer[Any]):
    classification = serializers.DictField(child=serializers.ChoiceField(choices=DLP_GROUPS))
    default_group = serializers.ChoiceField(choices=DLP_GROUPS)
    effective = serializers.DictField(
        child=serializers.ChoiceField(choices=[*DLP_GROUPS, policies.EXEMPT]),
        help_text="Every installed node type → the group it is in now, or `exempt` (outside DLP).",
    )
    exempt = serializers.ListField(
        child=serializers.CharField(),
        help_text="Installed node types that move no data in or out: outside DLP unless classified.",
    )
    updated_at = serializers.DateTimeField(allow_null=True)
    updated_by = serializers.CharField(allow_null=True)


def _dlp_data(policy: DlpPolicy) -> dict[str, Any]:
    return {
        "classification": dict(policy.classification),
        "default_group": policy.default_group,
        "effective": selectors.dlp_effective_groups(policy),
        "exempt": [
            t.type for t in registry.registry.all() if policies.DlpRules().group_of(t.type) == policies.EXEMPT
        ],
        "updated_at": policy.updated_at if policy.updated_at else None,
        "updated_by": policy.updated_by.get_username() if policy.updated_by else None,
    }


class DlpPolicyView(APIView):
    required_scopes = {"GET": "admin", "PUT": "admin"}

    @extend_schema(operation_id="dlp_policy_read", responses=DlpPolicyOut)
    def get(self, request: Request) -> Response:
        return Response(_dlp_data(selectors.dlp_policy_get()))

    @extend_schema(operation_id="dlp_policy_replace", request=DlpPolicyIn, responses=DlpPolicyOut)
    def put(self, request: Request) -> Response:
        body = validated_body(DlpPolicyIn, request)
        classification: dict[str, Any] = body["classification"]
        problems = []
        for node_type, group in classification.items():
            field = f"classification.{node_type}"
            if (message := policies.node_type_problem(node_type, wildcards=False)) is not None:
                problems.append(ErrorItem(field=field, message=message))
            elif group not in DLP_GROUPS:
                problems.append(
                    ErrorItem(
                        field=field, message=f"A group is one of {', '.join(DLP_GROUPS)}; not {group!r}."
                    )
                )
        if problems:
            raise ValidationProblem(problems)
        policy = services.dlp_policy_update(
            user=request.user,
            classification=classification,
            default_group=body["default_group"],
        )
        return Response(_dlp_data(policy))


# --- data tables (`action.table`) -------------------------------------------------------------------


class TableTeamRef(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TableOut(serializers.ModelSerializer[DataTable]):
    team = TableTeamRef(read_only=True, help_text="The team whose flows use the table: its members see it.")
    rows = serializers.IntegerField(source="row_count", read_only=True, help_text="How many rows it holds.")
    updated_at = serializers.DateTimeField(
        source="rows_updated_at", read_only=True, help_text="When a row last changed (or the table was made)."
    )

    class Meta:
        model = DataTable
        fields = ["id", "name", "team", "rows", "created_at", "updated_at"]


class TableRowOut(serializers.ModelSerializer[TableRow]):
    class Meta:
        model = TableRow
        fields = ["key", "data", "created_at", "updated_at"]


class TablesView(APIView):
    required_scopes = {"GET": "flows:read"}

    @extend_schema(operation_id="tables_list", responses=TableOut(many=True))
    def get(self, request: Request) -> Response:
        tables = selectors.tables_visible(user=request.user, token=request_token(request))
        return paginate(self, tables, TableOut)


class TableView(APIView):
    required_scopes = {"DELETE": "flows:write"}

    @extend_schema(operation_id="tables_delete", responses={204: None})
    def delete(self, request: Request, table_id: Any) -> Response:
        table = selectors.table_visible_get(table_id, user=request.user, token=request_token(request))
        services.table_delete(user=request.user, table=table)
        return Response(status=204)


class TableRowsView(APIView):
    required_scopes = {"GET": "runs:read"}

    @extend_schema(
        operation_id="tables_rows_list",
        parameters=[
            OpenApiParameter("key", str, description="Only the row under this key."),
            OpenApiParameter("cursor", str, description="The page to read (from `next`)."),
        ],
        responses=TableRowOut(many=True),
    )
    def get(self, request: Request, table_id: Any) -> Response:
        table = selectors.table_visible_get(table_id, user=request.user, token=request_token(request))
        key = request.query_params.get("key")
        return paginate(self, selectors.table_rows(table, key=key), TableRowOut)


# --- canonical schemas (`transform.validate`) -------------------------------------------------------


class CanonicalSchemaOut(serializers.Serializer[Any]):
    name = serializers.ChoiceField(choices=list(canonical.NAMES))
    title = serializers.CharField()
    schema = serializers.JSONField(help_text="The JSON Schema (2020-12), with its $id.")


class SchemasView(APIView):
    required_scopes = {"GET": "flows:read"}

    @extend_schema(operation_id="schemas_list", responses=CanonicalSchemaOut(many=True))
    def get(self, request: Request) -> Response:
        return Response(canonical.all_schemas())


# --- connectors imported from OpenAPI documents (builders) ----------------------------------------


class ConnectorImportIn(serializers.Serializer[Any]):
    name = serializers.CharField(
        max_length=63,
        help_text="The connector's name, [a-z][a-z0-9_]*: node types are connector.<name>.<operation>. "
        "Importing a name again adds a version.",
    )
    spec = serializers.JSONField(
        required=False,
        help_text="The OpenAPI 3.x or Swagger 2.0 document: its JSON or YAML text, or the JSON object.",
    )
    url = serializers.CharField(
        required=False,
        max_length=2000,
        help_text="Where to fetch the document instead (a public address, or one EGRESS_ALLOW names).",
    )
    team = serializers.IntegerField(required=False, allow_null=True, help_text="The team it belongs to.")


class SkippedOut(serializers.Serializer[Any]):
    operation = serializers.CharField(help_text="METHOD /path")
    reason = serializers.CharField()


class ConnectorImported(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    version = serializers.IntegerField()
    node_types = serializers.ListField(child=serializers.CharField())
    skipped = SkippedOut(many=True)


class ConnectorOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    title = serializers.CharField()
    team = serializers.IntegerField(allow_null=True, source="team_id")
    created_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    latest_version = serializers.IntegerField(allow_null=True, source="latest")
    version_count = serializers.IntegerField(help_text="How many versions it has.")
    operation_count = serializers.SerializerMethodField(
        help_text="Operations (node types) of the latest version."
    )
    skipped_count = serializers.SerializerMethodField(help_text="Operations the latest version skipped.")

    def get_created_by(self, connector: Connector) -> str | None:
        return connector.created_by.get_username() if connector.created_by else None

    def get_operation_count(self, connector: Connector) -> int:
        return selectors.connector_counts(connector)[0]

    def get_skipped_count(self, connector: Connector) -> int:
        return selectors.connector_counts(connector)[1]


class ConnectorVersionOut(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    source_url = serializers.CharField()
    operations = serializers.JSONField(
        help_text="[{operation_id, node_type, method, path, summary, description, server_url, parameters, "
        "body, security, connection_kinds, config_schema}]"
    )
    auth = serializers.JSONField(
        help_text="The security schemes as connection kinds: [{scheme, kind, settings}]."
    )
    skipped = SkippedOut(many=True)


class ConnectorDetailOut(ConnectorOut):
    versions = ConnectorVersionOut(many=True, help_text="Newest first.")


def _version_data(connector: Connector, version: ConnectorVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "created_at": version.created_at,
        "source_url": version.source_url,
        "operations": [
            {"node_type": f"connector.{connector.name}.{op['operation_id']}", **op}
            for op in version.operations
        ],
        "auth": version.auth,
        "skipped": version.skipped,
    }


class ConnectorImportView(APIView):
    required_scopes = {"POST": "flows:write"}

    @extend_schema(
        operation_id="connectors_import", request=ConnectorImportIn, responses={201: ConnectorImported}
    )
    def post(self, request: Request) -> Response:
        try:
            data = validated_body(ConnectorImportIn, request)
        except RequestDataTooBig:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
            raise ValidationProblem(
                [
                    ErrorItem(
                        field="spec",
                        message=f"The request is larger than {limit:,} bytes (DATA_UPLOAD_MAX_MEMORY_SIZE): "
                        "give a document this large by `url` instead.",
                    )
                ]
            ) from None
        given = [key for key in ("spec", "url") if data.get(key) is not None]
        if len(given) != 1:
            raise ValidationProblem(
                [
                    ErrorItem(
                        field="spec", message="Give the document either as `spec` or as `url` (one of them)."
                    )
                ]
            )
        spec = data.get("spec")
        if spec is not None and not isinstance(spec, str | dict):
            raise ValidationProblem(
                [
                    ErrorItem(
                        field="spec", message="`spec` is the document's JSON or YAML text, or a JSON object."
                    )
                ]
            )
        team = identity_selectors.team_get_or_404(data["team"]) if data.get("team") is not None else None
        version = services.connector_import(
            user=request.user, name=data["name"], spec=spec, url=data.get("url"), team=team
        )
        return Response(
            {
                "id": version.connector.pk,
                "name": version.connector.name,
                "version": version.number,
                "node_types": services.connector_node_types(version),
                "skipped": version.skipped,
            },
            status=201,
        )


class ConnectorsView(APIView):
    required_scopes = {"GET": "flows:read"}

    @extend_schema(operation_id="connectors_list", responses=ConnectorOut(many=True))
    def get(self, request: Request) -> Response:
        return paginate(self, selectors.connector_list(), ConnectorOut)


class ConnectorView(APIView):
    required_scopes = {"GET": "flows:read", "DELETE": "flows:write"}

    @extend_schema(operation_id="connectors_read", responses=ConnectorDetailOut)
    def get(self, request: Request, connector_id: int) -> Response:
        connector = selectors.connector_get(connector_id)
        versions = [_version_data(connector, v) for v in selectors.connector_versions(connector)]
        return Response({**ConnectorOut(connector).data, "versions": versions})

    @extend_schema(operation_id="connectors_delete", responses={204: None})
    def delete(self, request: Request, connector_id: int) -> Response:
        services.connector_delete(user=request.user, connector=selectors.connector_get(connector_id))
        return Response(status=204)
