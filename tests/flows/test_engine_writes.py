"""How the engine writes a run: pure steps are computed in memory and stored with the run's next write.

These tests call the engine directly on a queued run inside the test's own transaction (the `db`
fixture): the run is stored but never committed, so no worker hears of it or takes it first. Each of
the engine's transactions is then a savepoint of the test's transaction, so the statements the engine
issues show exactly where its transactions begin and end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

from flows import services
from flows.engine import run_execute
from flows.models import Flow, Run, RunStatus, StepStatus
from tests.flows.conftest import steps_of
from tests.support.flows import chain, node
from tests.support.local_server import Answer
from tests.support.sink import HttpSink

INSERT_STEPS = 'INSERT INTO "flows_steprun"'
UPDATE_STEPS = 'UPDATE "flows_steprun"'
UPDATE_RUN = 'UPDATE "flows_run"'


def writes(sqls: list[str]) -> list[str]:
    """The kinds of the statements that change steps or the run, in order."""
    kinds = (INSERT_STEPS, UPDATE_STEPS, UPDATE_RUN, 'DELETE FROM "flows_steprun"')
    return [kind for sql in sqls for kind in kinds if sql.startswith(kind)]


def shape(sqls: list[str]) -> list[list[str]]:
    """The writes of each of the engine's transactions (its outermost savepoints here), in the order
    of the transactions and sorted within each; a write outside any transaction is one of its own."""
    found: list[list[str]] = []
    open_savepoints: list[str] = []
    for sql in sqls:
        if sql.startswith("SAVEPOINT "):
            if not open_savepoints:
                found.append([])
            open_savepoints.append(sql.split(" ", 1)[1])
        elif sql.startswith(("RELEASE SAVEPOINT ", "ROLLBACK TO SAVEPOINT ")):
            name = sql.rsplit(" ", 1)[1]
            if name in open_savepoints:
                del open_savepoints[open_savepoints.index(name) :]
        elif open_savepoints:
            found[-1].extend(writes([sql]))
        else:
            found.extend([kind] for kind in writes([sql]))
    assert not open_savepoints, f"a transaction was left open: {open_savepoints}"
    return [sorted(kinds) for kinds in found]


class EngineStatements:
    """The statements the engine issues on the test's database connection while the block runs."""

    def __init__(self) -> None:
        # This thread's connection, named once, so a server thread can look at what it has issued.
        self.capture = CaptureQueriesContext(connections[DEFAULT_DB_ALIAS])

    def __enter__(self) -> EngineStatements:
        self.capture.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.capture.__exit__(*exc)

    @property
    def sqls(self) -> list[str]:
        return [query["sql"] for query in self.capture.captured_queries]


class WitnessSink(HttpSink):
    """An HTTP sink that notes which statements the engine had issued when each request reached it."""

    def __init__(self) -> None:
        super().__init__()
        self.engine: EngineStatements | None = None
        self.seen: list[list[str]] = []

    def answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes, client_port: int
    ) -> Answer:
        assert self.engine is not None
        self.seen.append(self.engine.sqls)
        return super().answer(method, path, headers, body, client_port)


@pytest.fixture
def witness(settings: Any) -> Iterator[WitnessSink]:
    settings.EGRESS_ALLOW = ["127.0.0.1"]
    with WitnessSink() as sink:
        yield sink


@pytest.fixture
def queued(db: None, alice: Any, make_flow: Callable[..., Flow]) -> Callable[..., Run]:
    """A test run of a document's draft, stored as queued and not executed by anybody yet: it is not
    committed, so it is never sent to the workers."""

    def start(document: dict[str, Any], payload: Any) -> Run:
        run = services.run_test(flow=make_flow(document), user=alice, payload=payload)
        assert Run.objects.get(pk=run.pk).status == RunStatus.QUEUED
        return run

    return start


def test_a_run_of_pure_steps_is_claimed_then_stored_whole_in_a_second_transaction(
    queued: Callable[..., Run],
) -> None:
    # given a queued run of trigger → filter (true) → map
    run = queued(
        chain(
            node("start", "trigger.manual"),
            node("big", "transform.filter", condition={">": [{"var": "trigger.total"}, 100]}),
            node("shape", "transform.map", fields={"total": {"*": [{"var": "trigger.total"}, 2]}}),
        ),
        {"total": 150},
    )
    # when the engine executes it
    with EngineStatements() as engine:
        run_execute(str(run.pk))
    # then it succeeded with every step stored
    done = Run.objects.get(pk=run.pk)
    assert done.status == RunStatus.SUCCEEDED, done.error
    steps = steps_of(done)
    assert {name: step.status for name, step in steps.items()} == {
        "start": StepStatus.SUCCEEDED,
        "big": StepStatus.SUCCEEDED,
        "shape": StepStatus.SUCCEEDED,
    }
    assert steps["shape"].output == {"total": 300} == done.output
    # and it took two transactions: the claim, then the run's end with all three steps in one insert
    assert shape(engine.sqls) == [[UPDATE_RUN], [INSERT_STEPS, UPDATE_RUN]]


def test_the_steps_before_an_http_call_are_stored_before_the_request_leaves(
    queued: Callable[..., Run], witness: WitnessSink
) -> None:
    # given a queued run of trigger → filter → map → HTTP to a sink that notes what was written
    witness.reply(200, json_body={"ok": True})
    run = queued(
        chain(
            node("start", "trigger.manual"),
            node("big", "transform.filter", condition={">": [{"var": "trigger.total"}, 100]}),
            node("shape", "transform.map", fields={"total": {"*": [{"var": "trigger.total"}, 2]}}),
            node("crm", "action.http", method="POST", url=witness.url("/leads"), json={"var": "input"}),
        ),
        {"total": 150},
    )
    # when the engine executes it
    with EngineStatements() as engine:
        witness.engine = engine
        run_execute(str(run.pk))
    # then every step succeeded and the sink got the map's output, once
    done = Run.objects.get(pk=run.pk)
    assert done.status == RunStatus.SUCCEEDED, done.error
    steps = steps_of(done)
    assert [steps[n].status for n in ("start", "big", "shape", "crm")] == [StepStatus.SUCCEEDED] * 4
    assert steps["crm"].output["status"] == 200
    assert [r.json() for r in witness.requests] == [{"total": 300}]
    # and it took three transactions: the claim; the three pure steps with the HTTP step's "running"
    # row in one insert; the HTTP step's success with the run's end
    assert shape(engine.sqls) == [[UPDATE_RUN], [INSERT_STEPS, UPDATE_RUN], [UPDATE_RUN, UPDATE_STEPS]]
    # and that one insert — the only one, so all four rows — had been issued, its transaction
    # closed, before the request reached the sink
    assert len(witness.seen) == 1
    assert shape(witness.seen[0]) == [[UPDATE_RUN], [INSERT_STEPS, UPDATE_RUN]]


def test_a_failing_pure_step_fails_the_run_and_every_step_so_far_is_stored(
    queued: Callable[..., Run],
) -> None:
    # given a run whose third step's rule throws
    run = queued(
        chain(
            node("start", "trigger.manual"),
            node("ok", "transform.map", fields={"kept": "{{ trigger.value }}"}),
            node("broken", "transform.map", fields={"x": {"throw": "bad data"}}),
            node("never", "transform.map", fields={}),
        ),
        {"value": "precious"},
    )
    # when the engine executes it
    with EngineStatements() as engine:
        run_execute(str(run.pk))
    # then the run failed naming the step, and the steps before it and the failed one are all stored
    done = Run.objects.get(pk=run.pk)
    assert done.status == RunStatus.FAILED
    assert "'broken'" in done.error and "bad data" in done.error
    steps = steps_of(done)
    assert set(steps) == {"start", "ok", "broken"}
    assert steps["start"].status == steps["ok"].status == StepStatus.SUCCEEDED
    assert steps["ok"].output == {"kept": "precious"}
    assert steps["broken"].status == StepStatus.FAILED
    assert steps["broken"].input == {"kept": "precious"}
    assert "bad data" in steps["broken"].error
    assert steps["broken"].finished_at is not None
    # with the run's failure, in the run's second transaction
    assert shape(engine.sqls) == [[UPDATE_RUN], [INSERT_STEPS, UPDATE_RUN]]


def test_a_pure_step_failing_after_an_http_call_keeps_the_calls_success(
    queued: Callable[..., Run], witness: WitnessSink
) -> None:
    # given trigger → HTTP → a map that throws
    witness.reply(201, json_body={"id": 7})
    run = queued(
        chain(
            node("start", "trigger.manual"),
            node("crm", "action.http", method="POST", url=witness.url("/leads"), json={"n": 1}),
            node("broken", "transform.map", fields={"x": {"throw": "bad answer"}}),
        ),
        {},
    )
    # when the engine executes it
    with EngineStatements() as engine:
        witness.engine = engine
        run_execute(str(run.pk))
    # then the run failed at the map, and the HTTP call's success (held in memory until then) is stored
    done = Run.objects.get(pk=run.pk)
    assert done.status == RunStatus.FAILED
    assert "'broken'" in done.error
    steps = steps_of(done)
    assert set(steps) == {"start", "crm", "broken"}
    assert steps["crm"].status == StepStatus.SUCCEEDED
    assert steps["crm"].output["status"] == 201 and steps["crm"].output["body"] == {"id": 7}
    assert steps["crm"].finished_at is not None
    assert steps["broken"].status == StepStatus.FAILED and "bad answer" in steps["broken"].error
    assert len(witness.requests) == 1
    # the call's success and the map's failure were stored with the run's failure, in one transaction
    assert shape(engine.sqls) == [
        [UPDATE_RUN],
        [INSERT_STEPS, UPDATE_RUN],
        [INSERT_STEPS, UPDATE_RUN, UPDATE_STEPS],
    ]
