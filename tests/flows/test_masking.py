"""Sensitive nodes (issue item 5): their step data is stored, but only admins see it — in run
history, live websocket updates, exports and diffs. Everyone else sees the masked shape."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from rest_framework.test import APIClient

from flows import live
from flows.graph import validate
from flows.masking import MASK, mask_value, node_is_sensitive
from flows.models import Run
from flows.routing import websocket_urlpatterns
from tests.support.flows import chain, node
from tests.support.runs import wait_for_run


def payroll() -> dict[str, Any]:
    """Manual start → 'salary' (sensitive: picks out a salary) → 'notify' (fed by it) → 'done'."""
    salary = node(
        "salary",
        "transform.map",
        fields={"iban": {"var": "trigger.iban"}, "amount": {"var": "trigger.amount"}},
    )
    salary["sensitive"] = True
    return chain(
        node("start", "trigger.manual", sample={}),
        salary,
        node("notify", "transform.map", fields={"count": 1}),
        node("done", "transform.map", fields={"ok": True}),
    )


PAYLOAD = {"iban": "NL91ABNA0417164300", "amount": 4200}


def run_it(api: APIClient) -> tuple[str, str]:
    """Create the payroll flow as admin alice, test-run it to the end: (flow id, run id)."""
    flow = api.post("/api/v1/flows", {"name": "Payroll", "graph": payroll()}, format="json").json()
    run = api.post(f"/api/v1/flows/{flow['id']}/test", {"payload": PAYLOAD}, format="json").json()
    assert wait_for_run(run["id"]).status == "succeeded"
    return flow["id"], run["id"]


def steps(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["node"]: s for s in body["steps"]}


# --- the flow document and the helpers ------------------------------------------------------------


def test_sensitive_is_an_optional_boolean_of_a_node(db: Any) -> None:
    assert validate(payroll()) == []
    bad = payroll()
    bad["nodes"][1]["sensitive"] = "yes"
    assert [(p.node, p.field) for p in validate(bad)] == [("salary", "sensitive")]
    assert node_is_sensitive(payroll()["nodes"][1]) and not node_is_sensitive(payroll()["nodes"][0])


def test_the_masked_shape_keeps_top_level_keys_only() -> None:
    assert mask_value({"iban": "NL…", "nested": {"a": 1}}) == {"iban": MASK, "nested": MASK}
    assert mask_value([1, 2]) == MASK and mask_value("text") == MASK and mask_value(None) is None


# --- run history ------------------------------------------------------------------------------------


def test_run_detail_masks_a_sensitive_step_for_a_builder_but_not_for_an_admin(
    worker: None, api: APIClient, carol_api: APIClient
) -> None:
    # given a run through a sensitive node
    _, run_id = run_it(api)
    # when a builder of the team reads it
    seen = carol_api.get(f"/api/v1/runs/{run_id}").json()
    # then the sensitive step's input and output are masked, keeping their top-level keys
    salary = steps(seen)["salary"]
    assert salary["masked"] is True
    assert salary["output"] == {"iban": MASK, "amount": MASK}
    assert salary["input"] == {"iban": MASK, "amount": MASK}
    # and the next step's input (the sensitive node's output) too, but not its own output
    assert steps(seen)["notify"]["input"] == {"iban": MASK, "amount": MASK}
    assert steps(seen)["notify"]["output"] == {"count": 1} and steps(seen)["notify"]["masked"] is True
    assert steps(seen)["done"] == {**steps(seen)["done"], "masked": False, "output": {"ok": True}}
    # and the graph shown with the run hides the sensitive node's config
    graph_nodes = {n["id"]: n for n in seen["graph"]["nodes"]}
    assert graph_nodes["salary"]["config"] == {"fields": MASK}
    assert "NL91ABNA" not in json.dumps([steps(seen)["salary"], steps(seen)["notify"], seen["graph"]])
    # and the runs list masks the same way
    listed = next(r for r in carol_api.get("/api/v1/runs").json()["results"] if r["id"] == run_id)
    assert steps(listed)["salary"]["output"] == {"iban": MASK, "amount": MASK}
    # when an admin reads it, then the data is there: it was stored, not dropped
    full = api.get(f"/api/v1/runs/{run_id}").json()
    assert steps(full)["salary"]["output"] == PAYLOAD and steps(full)["salary"]["masked"] is False
    assert Run.objects.get(pk=run_id).steps.get(node="salary").output == PAYLOAD


def test_the_run_output_is_masked_when_the_last_step_was_sensitive(
    worker: None, api: APIClient, carol_api: APIClient
) -> None:
    document = payroll()
    document["nodes"] = document["nodes"][:2]
    document["edges"] = document["edges"][:1]
    flow = api.post("/api/v1/flows", {"name": "Payroll", "graph": document}, format="json").json()
    run = api.post(f"/api/v1/flows/{flow['id']}/test", {"payload": PAYLOAD}, format="json").json()
    wait_for_run(run["id"])
    assert carol_api.get(f"/api/v1/runs/{run['id']}").json()["output"] == {"iban": MASK, "amount": MASK}
    assert api.get(f"/api/v1/runs/{run['id']}").json()["output"] == PAYLOAD


# --- export and diff ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_export_masks_a_sensitive_nodes_config_for_all_but_admins(
    api: APIClient, carol_api: APIClient
) -> None:
    flow = api.post("/api/v1/flows", {"name": "Payroll", "graph": payroll()}, format="json").json()
    exported = {n["id"]: n for n in carol_api.get(f"/api/v1/flows/{flow['id']}/export").json()["nodes"]}
    assert exported["salary"]["config"] == {"fields": MASK} and exported["salary"]["sensitive"] is True
    assert exported["notify"]["config"] == {"fields": {"count": 1}}
    by_admin = {n["id"]: n for n in api.get(f"/api/v1/flows/{flow['id']}/export").json()["nodes"]}
    assert by_admin["salary"]["config"] == payroll()["nodes"][1]["config"]


@pytest.mark.django_db
def test_a_version_read_masks_a_sensitive_nodes_config_for_all_but_admins(
    api: APIClient, carol_api: APIClient
) -> None:
    flow = carol_api.post("/api/v1/flows", {"name": "Payroll", "graph": payroll()}, format="json").json()
    submitted = carol_api.post(f"/api/v1/flows/{flow['id']}/versions", {}, format="json").json()
    read = carol_api.get(f"/api/v1/flows/{flow['id']}/versions/1").json()
    listed = carol_api.get(f"/api/v1/flows/{flow['id']}/versions").json()["results"][0]
    for graph in (submitted["graph"], read["graph"], listed["graph"]):
        salary = {n["id"]: n for n in graph["nodes"]}["salary"]
        assert salary["config"] == {"fields": MASK}
    by_admin = api.get(f"/api/v1/flows/{flow['id']}/versions/1").json()["graph"]
    assert {n["id"]: n for n in by_admin["nodes"]}["salary"]["config"] == payroll()["nodes"][1]["config"]


@pytest.mark.django_db
def test_the_diff_masks_a_sensitive_nodes_config_for_all_but_admins(
    api: APIClient, carol_api: APIClient
) -> None:
    # given v2 changes what the sensitive node reads
    flow = carol_api.post("/api/v1/flows", {"name": "Payroll", "graph": payroll()}, format="json").json()
    carol_api.post(f"/api/v1/flows/{flow['id']}/versions", {}, format="json")
    second = copy.deepcopy(payroll())
    second["nodes"][1]["config"]["fields"]["iban"] = {"var": "trigger.account"}
    carol_api.put(f"/api/v1/flows/{flow['id']}/draft", {"graph": second}, format="json")
    carol_api.post(f"/api/v1/flows/{flow['id']}/versions", {}, format="json")
    # when the builder reads the diff, then she sees that it changed, not how
    diff = carol_api.get(f"/api/v1/flows/{flow['id']}/versions/2/diff").json()
    assert diff["nodes"]["changed"][0]["changes"] == [
        {"path": "config.fields.iban.var", "old": MASK, "new": MASK, "kind": "changed", "masked": True}
    ]
    assert diff["summary"] == [
        "Map 'salary' now uses a different value for the field iban (hidden: sensitive node)"
    ]
    assert "trigger.account" not in json.dumps(diff)
    # when an admin reads it, then the values are there
    full = api.get(f"/api/v1/flows/{flow['id']}/versions/2/diff").json()
    assert full["summary"] == [
        "Map 'salary' now sets the field iban to trigger.account instead of trigger.iban"
    ]


# --- live updates ---------------------------------------------------------------------------------


def _watch(user: Any, run_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Watch a run's websocket as `user`: the first message, and the message after a step update is
    published (as the engine publishes one)."""

    async def attempt() -> tuple[dict[str, Any], dict[str, Any]]:
        scope = {"type": "websocket", "path": f"/ws/runs/{run_id}/", "headers": [], "user": user}
        socket = ApplicationCommunicator(URLRouter(websocket_urlpatterns), scope)
        await socket.send_input({"type": "websocket.connect"})
        assert (await socket.receive_output(timeout=5))["type"] == "websocket.accept"
        first = json.loads((await socket.receive_output(timeout=5))["text"])
        step = await database_sync_to_async(lambda: Run.objects.get(pk=run_id).steps.get(node="salary"))()
        await database_sync_to_async(live.steps_changed)(step.run_id, [step])
        update = json.loads((await socket.receive_output(timeout=5))["text"])
        await socket.send_input({"type": "websocket.disconnect", "code": 1000})
        await socket.wait(timeout=5)
        return first, update

    result: tuple[dict[str, Any], dict[str, Any]] = async_to_sync(attempt)()
    return result


def test_live_updates_are_masked_per_watcher(worker: None, api: APIClient, alice: Any, carol: Any) -> None:
    # given a finished run through a sensitive node
    _, run_id = run_it(api)
    # when the builder watches it and a step update is published
    first, update = _watch(carol, run_id)
    # then both the first document and the update are masked for her
    assert steps(first["run"])["salary"]["output"] == {"iban": MASK, "amount": MASK}
    assert update["type"] == "step" and update["step"]["output"] == {"iban": MASK, "amount": MASK}
    assert update["step"]["masked"] is True
    # when the admin watches, then she sees the data
    first, update = _watch(alice, run_id)
    assert steps(first["run"])["salary"]["output"] == PAYLOAD
    assert update["step"]["output"] == PAYLOAD and update["step"]["masked"] is False
