"""`action.table`: built-in data tables — insert, upsert, lookup, delete, dedup — on the database in use,
in real flows, under concurrency, per team, within their caps; and their REST API."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from flows.models import RunStatus
from hub.models import AuditEntry
from identity.models import Team
from identity.services import team_default
from nodes import services
from nodes.builtin.action.table import Table
from nodes.context import NodeContext
from nodes.models import DataTable, TableRow
from nodes.registry import NodeError
from tests.conftest import client_for, person
from tests.flows.conftest import steps_of
from tests.support.flows import chain, edge, node
from tests.support.sink import HttpSink

MakeContext = Callable[..., NodeContext]


@pytest.fixture
def team(db: Any) -> Team:
    return Team.objects.create(name="Sales")


@pytest.fixture
def table_step(make_context: MakeContext, team: Team) -> Callable[..., Any]:
    """`table_step(config, input, in_team=…, node_id=…, run_id=…)`: one action.table step of a flow
    in `team` (or `in_team`)."""

    def run(
        config: dict[str, Any],
        input: Any = None,
        *,
        in_team: Team | None = None,
        node_id: str = "step",
        run_id: str | None = None,
    ) -> Any:
        node_type = Table()
        assert node_type.validate_config(config) == []
        ctx = make_context(input, node_id=node_id)
        ctx.team_id = (in_team or team).pk
        if run_id is not None:
            ctx.run_id = run_id
        return node_type.execute(ctx, node_type.parse_config(config), input)

    return run


def test_insert_then_lookup_then_delete(table_step: Callable[..., Any], team: Team) -> None:
    # given an order inserted under its id; the table is made by that first write, in the team
    order = {"id": "A-1", "total": 20}
    inserted = table_step({"table": "orders", "operation": "insert", "key": "{{ input.id }}"}, order)
    assert inserted == {"inserted": True, "key": "A-1", "data": order}
    assert DataTable.objects.get(name="orders").team_id == team.pk
    # when it is looked up, by a key that is a rule this time
    found = table_step({"table": "orders", "operation": "lookup", "key": {"var": "input.id"}}, order)
    missing = table_step({"table": "orders", "operation": "lookup", "key": "B-2"})
    # then the row is found, and a key never written is not
    assert found == {"found": True, "key": "A-1", "data": order}
    assert missing == {"found": False, "key": "B-2", "data": None}
    # and a delete removes it, once
    assert table_step({"table": "orders", "operation": "delete", "key": "A-1"}) == {
        "deleted": True,
        "key": "A-1",
    }
    assert table_step({"table": "orders", "operation": "delete", "key": "A-1"}) == {
        "deleted": False,
        "key": "A-1",
    }
    assert table_step({"table": "orders", "operation": "lookup", "key": "A-1"})["found"] is False


def test_lookup_and_delete_in_a_table_never_written_make_nothing(table_step: Callable[..., Any]) -> None:
    assert table_step({"table": "nothing", "operation": "lookup", "key": "x"})["found"] is False
    assert table_step({"table": "nothing", "operation": "delete", "key": "x"})["deleted"] is False
    assert not DataTable.objects.exists()


def test_insert_of_a_taken_key_fails_unless_told_to_skip(table_step: Callable[..., Any]) -> None:
    # given a row under key 7 (a number key is its text)
    table_step({"table": "seen", "operation": "insert", "key": 7, "data": {"first": True}}, node_id="a")
    # when another step inserts key "7" again
    with pytest.raises(NodeError) as raised:
        table_step(
            {"table": "seen", "operation": "insert", "key": "7", "data": {"first": False}}, node_id="b"
        )
    # then it fails for good, saying what to do
    assert not raised.value.retryable
    assert "already holds the key '7'" in raised.value.message and "on_conflict" in raised.value.message
    # and with on_conflict skip it writes nothing, and says so with the row that is there
    skipped = table_step(
        {"table": "seen", "operation": "insert", "key": "7", "data": {"first": False}, "on_conflict": "skip"},
        node_id="c",
    )
    assert skipped == {"inserted": False, "key": "7", "data": {"first": True}}
    assert TableRow.objects.get(key="7").data == {"first": True}


def test_a_retried_insert_finds_its_own_row(table_step: Callable[..., Any]) -> None:
    # given an insert whose step ran once (then, say, the worker died before recording it)
    config = {"table": "seen", "operation": "insert", "key": "k", "data": {"n": 1}}
    table_step(config, node_id="save", run_id="run-9")
    # when the same step of the same run runs again
    again = table_step(config, node_id="save", run_id="run-9")
    # then it is not taken for a duplicate; another run's insert is
    assert again["inserted"] is True
    with pytest.raises(NodeError):
        table_step(config, node_id="save", run_id="run-10")


def test_upsert_merges_or_replaces(table_step: Callable[..., Any]) -> None:
    base = {"table": "customers", "operation": "upsert", "key": "ann@example.com"}
    made = table_step({**base, "data": {"name": "Ann", "plan": "free"}})
    assert made == {"created": True, "key": "ann@example.com", "data": {"name": "Ann", "plan": "free"}}
    merged = table_step({**base, "data": {"plan": "pro", "seats": 3}})
    assert merged["created"] is False and merged["data"] == {"name": "Ann", "plan": "pro", "seats": 3}
    replaced = table_step({**base, "data": {"plan": "team"}, "mode": "replace"})
    assert replaced["data"] == {"plan": "team"}
    assert TableRow.objects.get().data == {"plan": "team"}


def test_tables_are_per_team(table_step: Callable[..., Any], team: Team) -> None:
    # given a row in Sales' table "leads"
    other = Team.objects.create(name="Support")
    table_step({"table": "leads", "operation": "insert", "key": "x", "data": {"team": "sales"}})
    # when a flow of Support looks the key up in its own "leads"
    seen = table_step({"table": "leads", "operation": "lookup", "key": "x"}, in_team=other)
    # then it finds nothing, can insert its own, and cannot delete Sales' row
    assert seen["found"] is False
    table_step(
        {"table": "leads", "operation": "insert", "key": "x", "data": {"team": "support"}}, in_team=other
    )
    table_step({"table": "leads", "operation": "delete", "key": "x"}, in_team=other)
    assert table_step({"table": "leads", "operation": "lookup", "key": "x"})["data"] == {"team": "sales"}
    assert DataTable.objects.filter(name="leads").count() == 2


def test_a_run_without_a_team_cannot_use_tables(make_context: MakeContext) -> None:
    node_type = Table()
    config = node_type.parse_config({"table": "t", "operation": "lookup", "key": "k"})
    with pytest.raises(NodeError, match="belong to a team"):
        node_type.execute(make_context({}), config, {})


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("{{ input.missing }}", "the key is empty"),
        ({"var": "input.list"}, "a key is text or a number"),
        (True, "a key is text or a number"),
        ("x" * 501, "501 characters"),
        ("a\x00b", "NUL character"),
    ],
)
def test_bad_keys_are_refused(table_step: Callable[..., Any], key: Any, message: str) -> None:
    with pytest.raises(NodeError, match=message):
        table_step({"table": "t", "operation": "lookup", "key": key}, {"list": [1]})


def test_a_row_holds_an_object_of_64_kib_at_most(table_step: Callable[..., Any]) -> None:
    with pytest.raises(NodeError, match="a row holds a JSON object"):
        table_step({"table": "t", "operation": "insert", "key": "k", "data": {"var": "input"}}, [1, 2])
    with pytest.raises(NodeError, match="NUL character"):
        table_step({"table": "t", "operation": "upsert", "key": "k"}, {"note": ["fine", "not\x00fine"]})
    big = {"blob": "x" * services.MAX_ROW_BYTES}
    with pytest.raises(NodeError, match="65536 at most"):
        table_step({"table": "t", "operation": "insert", "key": "k"}, big)
    # a merge that grows a row beyond the cap is refused too, and leaves the row as it was
    half = {"a": "x" * (services.MAX_ROW_BYTES // 2)}
    table_step({"table": "t", "operation": "upsert", "key": "k"}, half)
    with pytest.raises(NodeError, match="at most"):
        table_step(
            {"table": "t", "operation": "upsert", "key": "k"}, {"b": "y" * (services.MAX_ROW_BYTES // 2)}
        )
    assert TableRow.objects.get(key="k").data == half


def test_a_table_holds_100000_rows_at_most(table_step: Callable[..., Any], team: Team) -> None:
    # given a table filled to the cap
    table = DataTable.objects.create(team=team, name="full")
    TableRow.objects.bulk_create(
        (TableRow(table=table, key=str(n), data={}) for n in range(services.MAX_TABLE_ROWS)), batch_size=5000
    )
    # when one more key is inserted, or upserted
    for operation in ("insert", "upsert"):
        with pytest.raises(NodeError, match="is full: it holds 100000 rows"):
            table_step({"table": "full", "operation": operation, "key": "new", "data": {}})
    # then nothing was added; updating a row that is there still works, and so does a delete
    assert (
        table_step({"table": "full", "operation": "upsert", "key": "5", "data": {"n": 5}})["created"] is False
    )
    assert table_step({"table": "full", "operation": "delete", "key": "6"})["deleted"] is True
    assert table_step({"table": "full", "operation": "insert", "key": "new", "data": {}})["inserted"] is True


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"table": "t", "operation": "lookup", "key": "k", "data": {}}, "data"),
        ({"table": "t", "operation": "upsert", "key": "k", "on_conflict": "skip"}, "on_conflict"),
        ({"table": "t", "operation": "insert", "key": "k", "mode": "replace"}, "mode"),
        ({"table": "../etc", "operation": "lookup", "key": "k"}, "table"),
        ({"table": "t", "operation": "count", "key": "k"}, "operation"),
        ({"table": "t", "operation": "lookup"}, "key"),
    ],
)
def test_invalid_config_is_refused_naming_the_field(config: dict[str, Any], field: str) -> None:
    assert field in [path for path, _ in Table().validate_config(config)]


# --- concurrency, on the database in use -------------------------------------------------------------


def test_concurrent_upserts_of_one_key_all_land(transactional_db: Any) -> None:
    # given a team, and eight writers that each upsert (merge) their own field under one new key
    team = Team.objects.create(name="Busy")
    writers = 8
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait()
            services.table_row_upsert(
                team_id=team.pk,
                table="counters",
                key="same",
                data={f"w{n}": n},
                mode="merge",
                written_by=f"r{n}",
            )
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)
        finally:
            connection.close()

    # when they all run at once
    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # then every write landed in one row, and there is one table
    assert failures == []
    row = TableRow.objects.get(table__team=team, key="same")
    assert row.data == {f"w{n}": n for n in range(writers)}
    assert DataTable.objects.filter(team=team).count() == 1


def test_concurrent_inserts_of_one_key_insert_once(transactional_db: Any) -> None:
    team = Team.objects.create(name="Dedup")
    writers = 6
    start = threading.Barrier(writers)
    results: list[bool] = []
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait()
            written = services.table_row_insert(
                team_id=team.pk,
                table="seen",
                key="evt-1",
                data={"by": n},
                skip_existing=True,
                written_by=f"r{n}",
            )
            results.append(written.changed)
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    assert sorted(results) == [False] * (writers - 1) + [True]
    assert TableRow.objects.filter(table__team=team).count() == 1


# --- in real flows ---------------------------------------------------------------------------------


def test_dedup_in_a_real_flow_acts_once_per_key(worker: None, test_run: Any, http_sink: HttpSink) -> None:
    # given a flow that remembers each event id and notifies only for ids it had not seen
    document = {
        "nodes": [
            node("start", "trigger.manual"),
            node(
                "seen",
                "action.table",
                table="events",
                operation="insert",
                key="{{ input.event_id }}",
                data={"event_id": {"var": "input.event_id"}},
                on_conflict="skip",
            ),
            node("new", "transform.filter", condition={"var": "input.inserted"}),
            node(
                "notify",
                "action.http",
                method="POST",
                url=http_sink.url("/new"),
                json={"id": "{{ input.key }}"},
            ),
        ],
        "edges": [edge("start", "seen"), edge("seen", "new"), edge("new", "notify")],
    }
    # when it runs twice with the same event, then once with another
    first = test_run(document, {"event_id": "evt-1"})
    second = test_run(document, {"event_id": "evt-1"})
    third = test_run(document, {"event_id": "evt-2"})
    # then all succeed, the second skipped the notification, and the table holds both ids
    assert [r.status for r in (first, second, third)] == [RunStatus.SUCCEEDED] * 3
    assert steps_of(first)["seen"].output["inserted"] is True
    assert steps_of(second)["seen"].output == {
        "inserted": False,
        "key": "evt-1",
        "data": {"event_id": "evt-1"},
    }
    assert "notify" not in {s for s, step in steps_of(second).items() if step.status == "succeeded"}
    assert [r.json() for r in http_sink.requests] == [{"id": "evt-1"}, {"id": "evt-2"}]
    table = DataTable.objects.get(name="events")
    assert table.team == team_default()  # alice's flows are in the default team
    assert sorted(table.rows.values_list("key", flat=True)) == ["evt-1", "evt-2"]


def test_upsert_then_lookup_and_branch_in_a_real_flow(worker: None, test_run: Any) -> None:
    save = chain(
        node("start", "trigger.manual"),
        node("save", "action.table", table="crm", operation="upsert", key="{{ input.email }}"),
    )
    assert test_run(save, {"email": "ann@example.com", "plan": "pro"}).status == RunStatus.SUCCEEDED
    find = {
        "nodes": [
            node("start", "trigger.manual"),
            node("find", "action.table", table="crm", operation="lookup", key="{{ input.email }}"),
            node("known", "transform.branch", condition={"var": "input.found"}),
            node("hello", "transform.map", fields={"plan": {"var": "input.data.plan"}}),
            node("stranger", "transform.map", fields={"plan": None}),
        ],
        "edges": [
            edge("start", "find"),
            edge("find", "known"),
            edge("known", "hello", "true"),
            edge("known", "stranger", "false"),
        ],
    }
    known = steps_of(test_run(find, {"email": "ann@example.com"}))
    assert known["hello"].output == {"plan": "pro"} and known["stranger"].status == "skipped"
    unknown = steps_of(test_run(find, {"email": "bob@example.com"}))
    assert unknown["stranger"].status == "succeeded" and unknown["hello"].status == "skipped"


# --- REST ------------------------------------------------------------------------------------------


@pytest.fixture
def tables(db: Any, team: Team) -> dict[str, Any]:
    """Sales' table with three rows, Support's with one; a builder in each team and a viewer in Sales."""
    support = Team.objects.create(name="Support")
    for name, owner, keys in (("leads", team, ["a", "b", "c"]), ("tickets", support, ["t"])):
        for key in keys:
            services.table_row_upsert(
                team_id=owner.pk, table=name, key=key, data={"k": key}, mode="merge", written_by=""
            )
    return {
        "leads": DataTable.objects.get(name="leads"),
        "tickets": DataTable.objects.get(name="tickets"),
        "sales_builder": client_for(person("sam", "builder", teams=(team,))),
        "support_builder": client_for(person("sue", "builder", teams=(support,))),
        "sales_viewer": client_for(person("val", "viewer", teams=(team,))),
    }


def test_people_list_their_teams_tables_and_admins_all(tables: dict[str, Any], api: APIClient) -> None:
    listed = tables["sales_builder"].get("/api/v1/tables")
    assert listed.status_code == 200
    (leads,) = listed.json()["results"]
    assert leads["id"] == str(tables["leads"].pk) and leads["name"] == "leads" and leads["rows"] == 3
    assert leads["team"]["name"] == "Sales" and leads["updated_at"]
    assert sorted(t["name"] for t in api.get("/api/v1/tables").json()["results"]) == ["leads", "tickets"]


def test_rows_are_paginated_and_found_by_key(tables: dict[str, Any]) -> None:
    viewer, leads = tables["sales_viewer"], tables["leads"]
    first = viewer.get(f"/api/v1/tables/{leads.pk}/rows?limit=2").json()
    assert len(first["results"]) == 2 and first["next"]
    rest = viewer.get(first["next"]).json()
    assert (
        sorted(r["key"] for r in first["results"] + rest["results"]) == ["a", "b", "c"]
        and rest["next"] is None
    )
    (row,) = viewer.get(f"/api/v1/tables/{leads.pk}/rows?key=b").json()["results"]
    assert row["key"] == "b" and row["data"] == {"k": "b"}
    # another team's table is as if there were none
    assert viewer.get(f"/api/v1/tables/{tables['tickets'].pk}/rows").status_code == 404


def test_a_teams_builder_deletes_its_table_and_it_is_audited(tables: dict[str, Any]) -> None:
    leads = tables["leads"]
    assert tables["sales_viewer"].delete(f"/api/v1/tables/{leads.pk}").status_code == 403
    assert tables["support_builder"].delete(f"/api/v1/tables/{leads.pk}").status_code == 404
    assert tables["sales_builder"].delete(f"/api/v1/tables/{leads.pk}").status_code == 204
    assert (
        not DataTable.objects.filter(pk=leads.pk).exists() and not TableRow.objects.filter(key="a").exists()
    )
    entry = AuditEntry.objects.get(action="table.deleted")
    assert entry.actor_name == "sam" and entry.target_id == str(leads.pk)
    assert entry.detail["name"] == "leads" and entry.detail["rows"] == 3
