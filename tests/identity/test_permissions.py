"""The permission matrix on every REST endpoint, and teams: people see the flows of their teams.

`MATRIX` below is the matrix as decided, written out once more on purpose: the views declare it
(`required_scopes`), `ScopedPermission` enforces it, and these tests check the declarations against
it and then every operation of the OpenAPI document against every role with real requests.
`matrix_markdown()` prints it as the README's table (`pytest … -k markdown -s`).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.routing import URLRouter
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.views import APIView

from flows import services as flows
from flows.models import Flow, FlowVersion, Run, RunStatus, TriggerEvent
from flows.routing import websocket_urlpatterns
from hub import events
from hub.models import AuditEntry
from identity.models import Scope, Team
from identity.permissions import SIGNED_IN, ScopedPermission
from identity.selectors import ROLE_SCOPES
from identity.services import apitoken_create, team_default, team_delete, user_deactivate
from nodes import services as nodes
from nodes.models import DataTable
from tests.conftest import client_for, person
from tests.support.flows import chain, node
from tests.support.runs import wait_for_run

# --- the matrix -----------------------------------------------------------------------------------

# operation id → the scope it needs. Builders hold flows:write and runs:write, approvers
# versions:approve, viewers (and everyone above) flows:read and runs:read, admins every scope.
MATRIX: dict[str, str] = {
    "me": SIGNED_IN,
    # what the editor reads, and checks that store nothing
    "node_types_list": "flows:read",
    "templates_list": "flows:read",
    "logic_evaluate": "flows:read",
    "flows_validate": "flows:read",
    "flows_policy_check": "flows:read",
    # flows and their drafts
    "flows_list": "flows:read",
    "flows_read": "flows:read",
    "flows_export": "flows:read",
    "flows_create": "flows:write",
    "flows_import": "flows:write",
    "flows_rename": "flows:write",  # and moves between teams
    "flows_draft_replace": "flows:write",
    "flows_test": "flows:write",
    "flows_pause": "flows:write",
    "flows_resume": "flows:write",
    "flows_webhook_secret_rotate": "flows:write",
    # versions
    "versions_list": "flows:read",
    "versions_read": "flows:read",
    "versions_diff": "flows:read",
    "versions_across_flows": "flows:read",
    "versions_submit": "flows:write",
    "versions_approve": "versions:approve",
    "versions_reject": "versions:approve",
    "versions_rollback": "flows:write",
    # runs
    "runs_list": "runs:read",
    "runs_read": "runs:read",
    "health_failures": "runs:read",
    "flows_start_run": "runs:write",
    "runs_replay": "runs:write",
    "runs_replay_many": "runs:write",
    "runs_cancel": "runs:write",
    # approval steps inside runs: the task's own rule (assignee or role) says who decides, so the
    # floor is seeing runs (approvers and viewers named as assignees hold no runs:write)
    "approval_tasks_list": "runs:read",
    "approval_tasks_decide": "runs:read",
    # data tables: seen by their team; rows are run data; removing one is building
    "tables_list": "flows:read",
    "tables_rows_list": "runs:read",
    "tables_delete": "flows:write",
    # the canonical schemas transform.validate checks against
    "schemas_list": "flows:read",
    # connections: reading them is part of building; builders make their teams' and their own (who
    # may change which one is checked per connection: admins, its owner, its team's members)
    "connection_kinds_list": "flows:read",
    "connections_list": "flows:read",
    "connections_read": "flows:read",
    "connections_create": "flows:write",
    "connections_update": "flows:write",
    "connections_delete": "flows:write",
    "connections_test": "flows:write",
    "connections_authorize": "flows:write",
    # connectors imported from OpenAPI documents: building blocks, so builders import and delete them
    "connectors_list": "flows:read",
    "connectors_read": "flows:read",
    "connectors_import": "flows:write",
    "connectors_delete": "flows:write",
    # policies on node use
    "team_policy_read": "admin",
    "team_policy_replace": "admin",
    "dlp_policy_read": "admin",
    "dlp_policy_replace": "admin",
    # settings of the whole instance
    "audit_list": "admin",
    "audit_export": "admin",
    "event_endpoints_list": "admin",
    "event_endpoints_create": "admin",
    "event_endpoints_read": "admin",
    "event_endpoints_update": "admin",
    "event_endpoints_delete": "admin",
    "event_endpoints_rotate_secret": "admin",
    "event_endpoints_test": "admin",
    "event_deliveries_list": "admin",
    "event_deliveries_replay": "admin",
}

ROLES: list[str | None] = [None, "viewer", "builder", "approver", "admin"]
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Views outside /api/v1/ that answer anyone, on purpose: the OpenAPI document and its browsable page.
PUBLIC_VIEWS = {"/api/schema/": SpectacularAPIView, "/api/docs/": SpectacularSwaggerView}


def allowed(role: str | None, scope: str) -> bool:
    return scope == SIGNED_IN or (role is not None and scope in ROLE_SCOPES[role])


def schema_operations() -> list[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) of every REST operation in the OpenAPI document."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, method.upper(), operation)
        for path, item in document["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in item.items()
        if method.upper() in METHODS
    ]


def api_views() -> list[tuple[str, type[APIView]]]:
    """(route, view class) of every DRF view the URL map serves."""
    found: list[tuple[str, type[APIView]]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "cls", None)
                if isinstance(view, type) and issubclass(view, APIView):
                    found.append((prefix + str(pattern.pattern), view))

    walk(get_resolver().url_patterns, "/")
    return found


def implemented(view: type[APIView]) -> set[str]:
    return {m.upper() for m in view.http_method_names if m.upper() in METHODS and hasattr(view, m)}


def declared_scope(path: str, method: str) -> str | None:
    view: Any = resolve(path).func.cls
    scopes: dict[str, str] = getattr(view, "required_scopes", {})
    return scopes.get(method)


def matrix_markdown() -> str:
    """The README's table: each operation, the scope it needs, and which roles hold it."""
    header = "| method and path | scope | viewer | builder | approver | admin |"
    rows = [header, "| --- | --- | :-: | :-: | :-: | :-: |"]
    for path, method, operation in sorted(schema_operations(), key=lambda op: (op[0], op[1])):
        scope = MATRIX.get(operation["operationId"]) or declared_scope(_example_path(path), method) or "?"
        marks = " | ".join("✓" if allowed(role, scope) else "" for role in ROLES[1:])
        rows.append(f"| `{method} {path}` | `{scope}` | {marks} |")
    return "\n".join(rows)


# --- (a) every view names a scope for every method ------------------------------------------------


def test_every_api_view_names_a_known_scope_for_each_method_it_serves() -> None:
    known = {s.value for s in Scope} | {SIGNED_IN}
    missing, unknown, extra, opted_out = [], [], [], []
    for route, view in api_views():
        if not route.startswith("/api/v1/"):
            assert PUBLIC_VIEWS.get(route) is view, f"{route} is served outside /api/v1/ by {view}"
            continue
        if list(view.permission_classes) != list(api_settings.DEFAULT_PERMISSION_CLASSES):
            opted_out.append(f"{route} ({view.__name__})")
        scopes: dict[str, str] = getattr(view, "required_scopes", {})
        missing += [f"{method} {route}" for method in sorted(implemented(view) - set(scopes))]
        extra += [f"{method} {route}" for method in sorted(set(scopes) - implemented(view))]
        unknown += [f"{method} {route}: {scope}" for method, scope in scopes.items() if scope not in known]
    assert ScopedPermission in api_settings.DEFAULT_PERMISSION_CLASSES
    assert not opted_out, f"views that replace the scoped permission: {opted_out}"
    assert not missing, f"methods that name no scope (and so refuse everyone): {missing}"
    assert not extra, f"scopes named for methods the view does not serve: {extra}"
    assert not unknown, f"scopes that do not exist: {unknown}"


def test_the_views_declare_the_matrix() -> None:
    declared = {}
    for path, method, operation in schema_operations():
        if operation["operationId"] in MATRIX:
            declared[operation["operationId"]] = declared_scope(_example_path(path), method)
    assert declared == MATRIX


def test_the_matrix_prints_as_a_markdown_table() -> None:
    table = matrix_markdown()
    print("\n" + table)
    assert "| `POST /api/v1/flows/{flow_id}/versions/{number}/approve` | `versions:approve` |" in table


# --- (b) every operation, every role -------------------------------------------------------------


def _example_path(path: str, values: dict[str, str] | None = None) -> str:
    """The path with its parameters filled in: known objects where given, else ids of nothing."""
    values = values or {}

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        integer_ids = {"number", "user_id", "team_id", "token_id", "connector_id"}
        return "2147483000" if name in integer_ids else str(uuid.uuid4())

    return re.sub(r"\{([^}]+)\}", fill, path)


@pytest.fixture
def ops_team(db: Any) -> Team:
    return Team.objects.create(name="Ops")


@pytest.fixture
def world(db: Any, ops_team: Team, settings: Any) -> dict[str, str]:
    """Real objects behind every path parameter: a flow (in Ops) with a pending version written by
    someone else than the people being tried, a run, a connection, an event endpoint, a data table."""
    settings.EGRESS_ALLOW = ["127.0.0.1"]
    author = person("dora", "builder", teams=(ops_team,))
    document = chain(node("start", "trigger.manual"), node("shape", "transform.map", fields={"n": 1}))
    flow = flows.flow_create(user=author, name="Matrix", graph=document, team_id=ops_team.pk)
    flows.version_submit(flow=flow, user=author)
    run, _ = flows.run_start(flow=flow, kind=TriggerEvent.Kind.TEST, payload={}, test_graph=document)
    connection, _ = nodes.connection_create(user=author, name="Signing", kind="webhook_secret", team=ops_team)
    nodes.table_row_upsert(team_id=ops_team.pk, table="seen", key="k", data={}, mode="merge", written_by="")
    connector = nodes.connector_import(
        user=author,
        name="matrix",
        spec={"openapi": "3.0.0", "info": {"title": "M", "version": "1"}, "paths": {}},
    ).connector
    endpoint, _ = events.event_endpoint_create(
        user=author, url="http://127.0.0.1:9/events", event_types=["run.failed"]
    )
    return {
        "flow_id": str(flow.pk),
        "number": "1",
        "run_id": str(run.pk),
        "connection_id": str(connection.pk),
        "endpoint_id": str(endpoint.pk),
        "table_id": str(DataTable.objects.get(team=ops_team, name="seen").pk),
        "connector_id": str(connector.pk),
    }


@pytest.fixture
def clients(ops_team: Team) -> dict[str | None, APIClient]:
    """The API as someone in Ops holding each role (None: signed in, no role); admin by the role,
    not as a superuser."""
    made = {}
    for role in ROLES:
        name = role or "nobody"
        made[role] = client_for(person(name, *([role] if role else []), teams=(ops_team,)))
    return made


def _call(client: APIClient, method: str, path: str) -> Any:
    if method in {"GET", "DELETE"}:
        return getattr(client, method.lower())(path)
    return getattr(client, method.lower())(path, {}, format="json")


def test_every_operation_refuses_exactly_the_roles_the_matrix_says(
    world: dict[str, str], clients: dict[str | None, APIClient], settings: Any
) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 0  # hundreds of requests: the matrix, not the limiter
    operations = schema_operations()
    assert {op["operationId"] for _, _, op in operations} >= set(MATRIX), "an operation left the API"
    wrong = []
    for path, method, operation in operations:
        url = _example_path(path, world)
        # ours follow MATRIX; the rest (people, teams, tokens) what their views declare
        scope = MATRIX.get(operation["operationId"]) or declared_scope(url, method)
        assert scope is not None, f"{method} {path} names no scope"
        for role in ROLES:
            status = _call(clients[role], method, url).status_code
            if (status == 403) == allowed(role, scope) or status >= 500:
                wrong.append(f"{method} {path} as {role or 'no role'} ({scope}): {status}")
    assert not wrong, "\n".join(wrong)


def test_without_signing_in_every_operation_is_401(world: dict[str, str]) -> None:
    anonymous = APIClient()
    for path, method, _ in schema_operations():
        assert _call(anonymous, method, _example_path(path, world)).status_code == 401, (method, path)


# --- (c) tokens narrow what their person may do ---------------------------------------------------


def _token_client(user: Any, *scopes: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {apitoken_create(user=user, scopes=scopes)[1]}")
    return client


def test_a_token_never_does_more_than_its_scopes_nor_its_person(alice: Any, ops_team: Team) -> None:
    graph = chain(node("start", "trigger.manual"))
    # given a flow in Ops, which alice (an admin, in no team) did not make
    dora = person("dora", "builder", teams=(ops_team,))
    flow = flows.flow_create(user=dora, name="Ops flow", graph=graph)
    # a token limited to runs:read cannot create a flow, even for an admin, nor read flows
    runs_only = _token_client(alice, "runs:read")
    refused = runs_only.post("/api/v1/flows", {"name": "x", "graph": graph}, format="json")
    assert refused.status_code == 403 and "flows:write" in refused.json()["detail"]
    assert runs_only.get("/api/v1/flows").status_code == 403
    assert runs_only.get("/api/v1/runs").status_code == 200
    # a flows:read token of a builder in Ops reads the team's flows, and writes nothing
    reader = _token_client(dora, "flows:read")
    listed = reader.get("/api/v1/flows")
    assert listed.status_code == 200 and [f["id"] for f in listed.json()["results"]] == [str(flow.pk)]
    assert reader.get(f"/api/v1/flows/{flow.pk}").json()["team"] == {"id": ops_team.pk, "name": "Ops"}
    assert reader.put(f"/api/v1/flows/{flow.pk}/draft", {"graph": graph}, format="json").status_code == 403
    # a token asking for more than its person's roles gets no more: a viewer's flows:write token
    viewer = person("vic", "viewer", teams=(ops_team,))
    assert (
        _token_client(viewer, "flows:write")
        .post("/api/v1/flows", {"name": "x", "graph": graph}, format="json")
        .status_code
        == 403
    )
    # an admin's token reaches every team only when it carries `admin`: without, her own teams only
    assert _token_client(alice, "flows:read").get("/api/v1/flows").json()["results"] == []
    assert _token_client(alice, "flows:read").get(f"/api/v1/flows/{flow.pk}").status_code == 404
    everything = _token_client(alice, "flows:read", "admin").get("/api/v1/flows").json()["results"]
    assert [f["id"] for f in everything] == [str(flow.pk)]


# --- (d) teams: who sees which flows --------------------------------------------------------------


@pytest.fixture
def two_teams(db: Any, alice: Any) -> dict[str, Any]:
    """Teams A and B, each with a flow that has a pending version and a finished run; carol builds
    in A only, erin builds in both."""
    team_a, team_b = Team.objects.create(name="A"), Team.objects.create(name="B")
    made: dict[str, Any] = {"team_a": team_a, "team_b": team_b}
    made["carol"] = person("carol", "builder", "approver", teams=(team_a,))
    made["erin"] = person("erin", "builder", teams=(team_a, team_b))
    for key, team in (("a", team_a), ("b", team_b)):
        document = chain(node("start", "trigger.manual"), node("shape", "transform.map", fields={"n": 1}))
        flow = flows.flow_create(user=alice, name=f"Flow {key.upper()}", graph=document, team_id=team.pk)
        flows.version_submit(flow=flow, user=alice)
        run, _ = flows.run_start(flow=flow, kind=TriggerEvent.Kind.TEST, payload={}, test_graph=document)
        Run.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, finished_at=timezone.now())
        made[f"flow_{key}"], made[f"run_{key}"] = flow, run
    return made


def _ids(response: Any, key: str = "id") -> list[str]:
    assert response.status_code == 200, response.content
    return [str(row[key]) for row in response.json()["results"]]


def test_people_see_only_their_teams_flows_and_admins_see_all(
    two_teams: dict[str, Any], api: APIClient, settings: Any
) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 0
    carol = client_for(two_teams["carol"])
    flow_a, flow_b = str(two_teams["flow_a"].pk), str(two_teams["flow_b"].pk)
    run_a, run_b = str(two_teams["run_a"].pk), str(two_teams["run_b"].pk)
    # carol, in A, sees A's flow, its versions and runs
    assert _ids(carol.get("/api/v1/flows")) == [flow_a]
    assert carol.get(f"/api/v1/flows/{flow_a}").json()["team"]["name"] == "A"
    assert _ids(carol.get("/api/v1/runs")) == [run_a]
    assert _ids(carol.get("/api/v1/versions?state=pending"), "flow") == [flow_a]
    failing = carol.get("/api/v1/health/failures?days=1&bucket=hour&include_tests=true").json()["flows"]
    assert [f["id"] for f in failing] == [flow_a]
    # and of B's, nothing: 404 as for what does not exist, never 403
    for path in [
        f"/api/v1/flows/{flow_b}",
        f"/api/v1/flows/{flow_b}/versions",
        f"/api/v1/flows/{flow_b}/versions/1",
        f"/api/v1/flows/{flow_b}/versions/1/diff",
        f"/api/v1/flows/{flow_b}/export",
        f"/api/v1/runs/{run_b}",
    ]:
        assert carol.get(path).status_code == 404, path
    for path in [
        f"/api/v1/flows/{flow_b}/versions/1/approve",
        f"/api/v1/flows/{flow_b}/test",
        f"/api/v1/flows/{flow_b}/pause",
        f"/api/v1/flows/{flow_b}/webhook-secret",
        f"/api/v1/runs/{run_b}/replay",
        f"/api/v1/runs/{run_b}/cancel",
    ]:
        assert carol.post(path, {}, format="json").status_code == 404, path
    assert carol.patch(f"/api/v1/flows/{flow_b}", {"name": "Mine"}, format="json").status_code == 404
    assert _ids(carol.get(f"/api/v1/runs?flow={flow_b}")) == []
    bulk = carol.post("/api/v1/runs/replay", {"runs": [run_a, run_b]}, format="json")
    assert bulk.status_code == 400 and [e["field"] for e in bulk.json()["errors"]] == ["runs[1]"]
    assert FlowVersion.objects.get(flow_id=flow_b).state == "pending"
    # an admin sees both teams' flows, runs and pending versions
    assert sorted(_ids(api.get("/api/v1/flows"))) == sorted([flow_a, flow_b])
    assert sorted(_ids(api.get("/api/v1/runs"))) == sorted([run_a, run_b])
    assert sorted(_ids(api.get("/api/v1/versions?state=pending"), "flow")) == sorted([flow_a, flow_b])
    assert api.get(f"/api/v1/flows/{flow_b}").json()["team"] == {"id": two_teams["team_b"].pk, "name": "B"}


def test_a_flow_is_made_in_one_of_the_makers_teams(two_teams: dict[str, Any], api: APIClient) -> None:
    carol = client_for(two_teams["carol"])
    team_a, team_b = two_teams["team_a"], two_teams["team_b"]
    body = {"name": "New", "graph": chain(node("start", "trigger.manual"))}
    # by default her first team; or the one she names among hers
    assert carol.post("/api/v1/flows", body, format="json").json()["team"]["name"] == "A"
    made = carol.post("/api/v1/flows", {**body, "team": team_a.pk}, format="json")
    assert made.status_code == 201 and made.json()["team"] == {"id": team_a.pk, "name": "A"}
    # a team she is not in is refused naming the field, and so is one that does not exist, alike
    for team_id in (team_b.pk, 999_999):
        refused = carol.post("/api/v1/flows", {**body, "team": team_id}, format="json")
        assert refused.status_code == 400 and refused["Content-Type"] == "application/problem+json"
        assert [e["field"] for e in refused.json()["errors"]] == ["team"]
        assert "not a member of a team" in refused.json()["errors"][0]["message"]
    # importing too (the team is a query parameter: the document is portable)
    document = {**body["graph"], "name": "Imported"}
    assert carol.post(f"/api/v1/flows/import?team={team_b.pk}", document, format="json").status_code == 400
    imported = carol.post(f"/api/v1/flows/import?team={team_a.pk}", document, format="json")
    assert imported.status_code == 201 and imported.json()["team"]["name"] == "A"
    # an admin makes flows in any team
    assert api.post("/api/v1/flows", {**body, "team": team_b.pk}, format="json").json()["team"]["name"] == "B"


def test_moving_a_flow_needs_both_teams_and_is_audited(two_teams: dict[str, Any], api: APIClient) -> None:
    team_a, team_b = two_teams["team_a"], two_teams["team_b"]
    flow_a = str(two_teams["flow_a"].pk)
    carol, erin = client_for(two_teams["carol"]), client_for(two_teams["erin"])
    # carol is not in B: she cannot move A's flow there
    refused = carol.patch(f"/api/v1/flows/{flow_a}", {"team": team_b.pk, "name": "Gone"}, format="json")
    assert refused.status_code == 400 and [e["field"] for e in refused.json()["errors"]] == ["team"]
    assert Flow.objects.get(pk=flow_a).name == "Flow A"  # nothing of the change happened
    # a viewer in both is refused by the matrix
    viewer = client_for(person("vic", "viewer", teams=(team_a, team_b)))
    assert viewer.patch(f"/api/v1/flows/{flow_a}", {"team": team_b.pk}, format="json").status_code == 403
    # erin, a builder in both, moves it (and renames it in the same request)
    moved = erin.patch(f"/api/v1/flows/{flow_a}", {"team": team_b.pk, "name": "Flow A in B"}, format="json")
    assert moved.status_code == 200, moved.content
    assert moved.json()["team"] == {"id": team_b.pk, "name": "B"} and moved.json()["name"] == "Flow A in B"
    entry = AuditEntry.objects.get(action="flow.moved")
    assert entry.actor_name == "erin" and entry.target_id == flow_a
    assert entry.detail["from"] == {"id": team_a.pk, "name": "A"}
    assert entry.detail["to"] == {"id": team_b.pk, "name": "B"}
    # and carol no longer sees it, nor its runs
    assert carol.get(f"/api/v1/flows/{flow_a}").status_code == 404
    assert _ids(carol.get("/api/v1/runs")) == []
    # an admin moves any flow anywhere; to a team that does not exist is a 400 naming the field
    assert api.patch(f"/api/v1/flows/{flow_a}", {"team": team_a.pk}, format="json").status_code == 200
    assert AuditEntry.objects.filter(action="flow.moved").count() == 2
    missing = api.patch(f"/api/v1/flows/{flow_a}", {"team": 999_999}, format="json")
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "team"
    # a change naming nothing is refused
    assert api.patch(f"/api/v1/flows/{flow_a}", {}, format="json").status_code == 400


# --- the run websocket follows the same rules -----------------------------------------------------


def _socket(user: Any, run_id: Any) -> tuple[bool, Any]:
    """Open /ws/runs/<id>/ signed in as `user` (as the session middleware would): (accepted, the
    first message) or (False, the close code)."""

    async def attempt() -> tuple[bool, Any]:
        scope = {"type": "websocket", "path": f"/ws/runs/{run_id}/", "headers": [], "user": user}
        socket = ApplicationCommunicator(URLRouter(websocket_urlpatterns), scope)
        await socket.send_input({"type": "websocket.connect"})
        answer = await socket.receive_output(timeout=5)
        if answer["type"] == "websocket.close":
            await socket.wait(timeout=1)
            return False, answer["code"]
        first = json.loads((await socket.receive_output(timeout=5))["text"])
        await socket.send_input({"type": "websocket.disconnect", "code": 1000})
        await socket.wait(timeout=1)
        return True, first

    result: tuple[bool, Any] = async_to_sync(attempt)()
    return result


def test_the_run_socket_shows_only_runs_of_ones_teams(
    transactional_db: Any, two_teams: dict[str, Any]
) -> None:
    carol, run_a, run_b = two_teams["carol"], two_teams["run_a"], two_teams["run_b"]
    connected, first = _socket(carol, run_a.pk)
    assert connected and first["type"] == "run" and first["run"]["id"] == str(run_a.pk)
    assert _socket(carol, run_b.pk) == (False, 4404)  # another team's run: as if there were none
    assert _socket(carol, uuid.uuid4()) == (False, 4404)
    nobody = person("nobody", teams=(two_teams["team_a"],))
    assert _socket(nobody, run_a.pk) == (False, 4403)  # signed in, but holding no role


# --- (e) when people leave and teams go -----------------------------------------------------------


def test_a_deactivated_persons_flows_stay_with_their_team_and_keep_running(
    worker: None, alice: Any, ops_team: Team
) -> None:
    # given frank's live flow in Ops
    frank = person("frank", "builder", teams=(ops_team,))
    document = chain(node("start", "trigger.manual"), node("shape", "transform.map", fields={"n": 2}))
    flow = flows.flow_create(user=frank, name="Frank's flow", graph=document)
    flows.version_approve(version=flows.version_submit(flow=flow, user=frank), user=alice)
    # when frank is deactivated
    user_deactivate(user=frank, actor=alice, reason="left the company")
    # then the flow is the team's, with no owner, and its live version still runs
    flow.refresh_from_db()
    assert flow.team_id == ops_team.pk and flow.owner_id is None
    run, _ = flows.run_start_live(flow=flow, kind=TriggerEvent.Kind.MANUAL, payload={}, user=alice)
    finished = wait_for_run(run.pk)
    assert finished.status == RunStatus.SUCCEEDED and finished.output == {"n": 2}
    # and the audit entry names the flow and the team that keeps it
    entry = AuditEntry.objects.get(action="user.deactivated")
    assert entry.detail["flows_kept_by_teams"] == [
        {"flow": str(flow.pk), "name": "Frank's flow", "team": "Ops"}
    ]


def test_a_deleted_teams_flows_go_to_the_default_team(alice: Any, ops_team: Team) -> None:
    flow = flows.flow_create(
        user=alice, name="Ops flow", graph=chain(node("s", "trigger.manual")), team_id=ops_team.pk
    )
    team_delete(team=ops_team, actor=alice)
    flow.refresh_from_db()
    assert flow.team_id == team_default().pk
    entry = AuditEntry.objects.get(action="team.deleted")
    assert entry.detail["flows_moved_to"] == team_default().name
    assert entry.detail["flows_moved"] == [{"flow": str(flow.pk), "name": "Ops flow"}]
    moved = AuditEntry.objects.get(action="flow.moved")
    assert moved.detail["from"]["name"] == "Ops" and moved.detail["to"]["name"] == team_default().name


# Hook registration is part of the app's start-up, not of any test.
def test_flows_registers_into_identitys_hooks() -> None:
    from identity.services import DEACTIVATION_HOOKS, TEAM_DELETION_HOOKS

    assert DEACTIVATION_HOOKS.count(flows.flows_keep_with_teams) == 1
    assert TEAM_DELETION_HOOKS.count(flows.flows_move_to_default_team) == 1
