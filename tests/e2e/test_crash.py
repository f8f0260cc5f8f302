"""Crash drills with real processes: the web process, two workers and the scheduler (with its sweeper)
on PostgreSQL and a redis-server of the test's own.

1. `kill -9` a worker (its whole process group) while it is in the middle of a step whose side effect
   the receiver has already applied, with other runs queued, parked and running around it.
2. Stop Redis (its queues are gone: no persistence) while runs are in flight, post webhooks while it
   is down, start it again on the same port.

Either way every accepted webhook ends in exactly one succeeded run, and the receiver, which applies
each `Idempotency-Key` once, sees every run's side effect applied exactly once.

What is at-least-once, and what makes it effectively once:
- sender → `POST /hooks/{key}`: at-least-once (a sender retries until it hears a 2xx). Once: the
  `Idempotency-Key` (or `webhook-id`) header; a repeat gets the first run's id with 200, starts nothing.
- event and run → PostgreSQL: exactly once, in one transaction. The run row is the outbox.
- run → broker message: at-least-once; sent on commit, and re-sent by the sweeper while the run is
  queued too long, overdue after waiting, or running with a lapsed lease. Once: `_claim` takes a run
  only when it is queued, due, or its lease lapsed (`SELECT … FOR UPDATE SKIP LOCKED`); other copies
  are dropped.
- message → worker: at-least-once (Dramatiq acks late, after the actor returns). A killed worker's
  unacked messages come back only after the RedisBroker's heartbeat timeout (60 s) and a maintenance
  pass (0.1 % of commands): minutes. The sweeper recovers the run in lease + sweep interval instead.
- step: at-least-once; a step that had not stored `succeeded` when its worker died runs again.
  Once: a step that succeeded is never executed again.
- side effect (`action.http`, `action.webhook`): at-least-once. Once: the `Idempotency-Key:
  <run>:<node>` header, the same on every attempt, applied once by a receiver that honours it.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis as redis_client
from django.conf import settings

from tests.e2e.conftest import person
from tests.support.backends import REDIS_SERVER, RedisServer, postgres_database, process_group_holding
from tests.support.flows import chain, node
from tests.support.processes import Stack, switchboard
from tests.support.receiver import IdempotentReceiver

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(settings.EMBEDDED, reason="the drills need PostgreSQL and worker processes"),
    pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed"),
]

# Short timings so a lost run is re-sent within seconds (production defaults: 30 s, 5 s, 300 s).
TIMINGS = {"RUN_REQUEUE_AFTER_SECONDS": "2", "SWEEP_INTERVAL_SECONDS": "1", "RUN_LEASE_SECONDS": "5"}
DELAY_SECONDS = 0.5  # the flow's transform.delay: runs park and resume, so many are in flight at once
WAIT_SECONDS = 90.0
FINISHED = {"succeeded", "failed", "cancelled"}


@dataclass
class Posted:
    """One webhook delivery as its sender saw it (with the retry a sender makes after a non-2xx)."""

    n: int
    status: int
    run_id: str | None
    answer: str
    seconds: float
    retried_status: int | None = None

    @property
    def key(self) -> str:
        return f"delivery-{self.n}"


@dataclass
class Drill:
    stack: Stack
    redis: RedisServer
    namespace: str


@pytest.fixture
def drill(tmp_path: Path) -> Iterator[Drill]:
    """Web, two workers (`--processes 1 --threads 2` each) and the scheduler on a scratch database
    and a private Redis."""
    with RedisServer(tmp_path) as redis, postgres_database("switchboard_crash") as (url, name):
        env = {"DATABASE_URL": url, "REDIS_URL": redis.url, "DRAMATIQ_NAMESPACE": name, **TIMINGS}
        with switchboard(tmp_path, env, workers=2, scheduler=True) as stack:
            stack.backend = "redis"
            stack.logs.append(redis.log)
            yield Drill(stack, redis, name)


def _live_flow(stack: Stack, receiver: IdempotentReceiver) -> tuple[httpx.Client, str, str]:
    """webhook → delay → POST to the receiver, live (self-approved: a one-person instance)."""
    alice = person(stack, "alice")
    document = chain(
        node("order", "trigger.webhook"),
        node("pause", "transform.delay", seconds=DELAY_SECONDS),
        node(
            "apply",
            "action.http",
            method="POST",
            url=receiver.url("/apply"),
            json={"n": "{{ trigger.body.n }}", "run": "{{ run.id }}"},
        ),
        name="Crash drill",
    )
    flow = alice.post("/flows", json={"name": document["name"], "graph": document}).json()
    assert alice.post(f"/flows/{flow['id']}/versions", json={"note": "drill"}).status_code == 201
    assert alice.post(f"/flows/{flow['id']}/versions/1/approve", json={}).status_code == 200
    hook = alice.get(f"/flows/{flow['id']}").json()["webhook_url"]
    return alice, flow["id"], hook


def _post(hook: str, n: int) -> Posted:
    started = time.monotonic()
    try:
        answer = httpx.post(
            hook,
            json={"n": n},
            headers={"Idempotency-Key": f"delivery-{n}", "X-Correlation-ID": f"drill-{n}"},
            timeout=15,
        )
    except httpx.HTTPError as error:
        return Posted(n, 0, None, f"{type(error).__name__}: {error}", time.monotonic() - started)
    run_id = answer.json().get("run_id") if answer.status_code in (200, 202) else None
    return Posted(n, answer.status_code, run_id, answer.text[:200], time.monotonic() - started)


def _post_many(hook: str, numbers: range) -> list[Posted]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda n: _post(hook, n), numbers))


def _runs(client: httpx.Client, flow_id: str) -> list[dict[str, Any]]:
    answer = client.get("/runs", params={"flow": flow_id, "limit": 500})
    assert answer.status_code == 200, answer.text
    runs: list[dict[str, Any]] = answer.json()["results"]
    return runs


def _wait_finished(client: httpx.Client, flow_id: str, expected: int, report: Any) -> list[dict[str, Any]]:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        runs = _runs(client, flow_id)
        if len(runs) >= expected and all(run["status"] in FINISHED for run in runs):
            return runs
        if time.monotonic() > deadline:
            raise AssertionError(f"the runs did not finish within {WAIT_SECONDS:g}s\n{report(runs)}")
        time.sleep(0.25)


def _diagnosis(stack: Stack, receiver: IdempotentReceiver, runs: list[dict[str, Any]]) -> str:
    counts = Counter(run["status"] for run in runs)
    unfinished = [
        f"  {run['id']} {run['status']} {run['error']!r} "
        + ", ".join(f"{s['node']}={s['status']}x{s['attempts']}" for s in run["steps"])
        for run in runs
        if run["status"] != "succeeded"
    ][:15]
    return "\n".join(
        [
            f"runs: {len(runs)} {dict(counts)}",
            *unfinished,
            f"receiver: {len(receiver.applied)} applied, {len(receiver.duplicates)} duplicate deliveries, "
            f"{receiver.unkeyed} without a key",
            f"sweeper: {_resent(stack)} runs re-sent",
            stack.log_tails(30),
        ]
    )


def _resent(stack: Stack) -> int:
    log = next((path for path in stack.logs if path.stem == "scheduler"), None)
    text = log.read_text(errors="replace") if log and log.exists() else ""
    return sum(int(found) for found in re.findall(r"re-sent (\d+) stale runs", text))


def _assert_effectively_once(
    posted: list[Posted], runs: list[dict[str, Any]], receiver: IdempotentReceiver, why: str
) -> None:
    # Every delivery that got a run id has exactly one run, and there is no run nobody was told of.
    by_key: dict[str, set[str]] = {}
    for delivery in posted:
        assert delivery.run_id is not None, f"delivery {delivery.n} has no run: {delivery}\n{why}"
        by_key.setdefault(delivery.key, set()).add(delivery.run_id)
    assert all(len(ids) == 1 for ids in by_key.values()), f"a delivery has two runs: {by_key}\n{why}"
    run_ids = {run["id"] for run in runs}
    accepted = {next(iter(ids)) for ids in by_key.values()}
    assert len(accepted) == len(by_key), f"two deliveries share a run\n{why}"
    assert run_ids == accepted, (
        f"runs nobody was told of: {run_ids - accepted}; told of but missing: {accepted - run_ids}\n{why}"
    )
    # Every run succeeded, each step once in the end.
    assert all(run["status"] == "succeeded" for run in runs), why
    for run in runs:
        assert [s["status"] for s in run["steps"]] == ["succeeded"] * 3, (run, why)
    # The receiver applied every run's side effect exactly once; repeats carried the same body.
    assert set(receiver.applied) == {f"{run_id}:apply" for run_id in run_ids}, why
    assert receiver.unkeyed == 0, why
    for repeat in receiver.duplicates:
        assert repeat.digest == receiver.applied[repeat.key].digest, (repeat, why)


def _unacked_by_dead_workers(drill: Drill) -> int:
    """Messages Dramatiq still counts as taken by a worker that stopped beating: the RedisBroker gives
    them back only after its heartbeat timeout (60 s), in a queue maintenance that one command in a
    thousand triggers — by then our sweeper has long re-sent their runs, and the claim drops them."""
    client = redis_client.Redis.from_url(drill.redis.url)
    try:
        seconds, micros = client.time()
        now_ms = seconds * 1000 + micros // 1000
        beats = {
            member.decode(): score
            for member, score in client.zrange(f"{drill.namespace}:__heartbeats__", 0, -1, withscores=True)
        }
        prefix = f"{drill.namespace}:__acks__."
        return sum(
            int(client.scard(key))
            for key in (k.decode() for k in client.keys(prefix + "*"))
            if beats.get(key[len(prefix) :].split(".", 1)[0], 0) < now_ms - 2500  # idle ones poll
        )
    finally:
        client.close()


def test_a_worker_killed_mid_step_loses_no_run_and_applies_no_side_effect_twice(drill: Drill) -> None:
    stack = drill.stack
    with IdempotentReceiver(answer_delay=0.1) as receiver:
        client, flow_id, hook = _live_flow(stack, receiver)
        receiver.hold(10)  # the 10th side effect: applied by the receiver, then its answer held back
        workers = {stack.named[f"worker-{i}"].pid: f"worker-{i}" for i in range(2)}
        with ThreadPoolExecutor(max_workers=1) as background:
            posting = background.submit(_post_many, hook, range(40))
            held = receiver.wait_held(30)
            group = process_group_holding(held.client_port, receiver.port, workers)
            assert group is not None, f"no worker holds the held request\n{stack.log_tails()}"
            os.killpg(group, signal.SIGKILL)  # rundramatiq and the worker process it forked
            killed_at = time.monotonic()
            receiver.release()
            posted = posting.result(timeout=60)
        assert stack.named[workers[group]].wait(timeout=10) == -signal.SIGKILL
        in_flight = len(receiver.applied)
        assert [p.status for p in posted] == [202] * len(posted), posted

        runs = _wait_finished(client, flow_id, len(posted), lambda r: _diagnosis(stack, receiver, r))
        why = _diagnosis(stack, receiver, runs)
        _assert_effectively_once(posted, runs, receiver, why)
        # The step the killed worker was in had been applied; it ran again (at-least-once) and the
        # repeat carried the same key, so the receiver did not apply it twice.
        repeats = [d for d in receiver.duplicates if d.key == held.key]
        assert repeats, f"the interrupted step was not executed again\n{why}"
        interrupted = next(run for run in runs if f"{run['id']}:apply" == held.key)
        assert interrupted["steps"][2]["attempts"] == 2, (interrupted, why)
        assert stack.named[workers[next(g for g in workers if g != group)]].poll() is None, why
        print(
            f"[kill -9] {workers[group]} killed with {in_flight}/40 side effects applied; "
            f"the interrupted step ran again {repeats[0].at - killed_at:.1f}s later; "
            f"{len(receiver.duplicates)} duplicate deliveries, all deduplicated; "
            f"sweeper re-sent {_resent(stack)} runs; "
            f"{_unacked_by_dead_workers(drill)} messages still unacked by the dead worker"
        )


def test_a_redis_restart_loses_no_run_and_applies_no_side_effect_twice(drill: Drill) -> None:
    stack, redis = drill.stack, drill.redis
    with IdempotentReceiver(answer_delay=0.05) as receiver:
        client, flow_id, hook = _live_flow(stack, receiver)
        with ThreadPoolExecutor(max_workers=1) as background:
            posting = background.submit(_post_many, hook, range(20))
            deadline = time.monotonic() + 30
            while receiver.count() < 5 and time.monotonic() < deadline:
                time.sleep(0.02)
            redis.stop()  # SIGTERM, no persistence: every queued and delayed message is gone
            in_flight = receiver.count()
            before = posting.result(timeout=60)
        # Posted while Redis is down. What must never happen is a 202 whose run never finishes; a
        # 5xx is retried by the sender (below): 200 then means the first try had stored the run
        # (only sending its message failed), 202 that it had stored nothing.
        during = [_post(hook, n) for n in range(20, 25)]
        time.sleep(2)
        redis.start()
        after = _post_many(hook, range(25, 30))
        # A sender that heard no 2xx retries, with the same Idempotency-Key and body.
        for delivery in [*before, *during, *after]:
            if delivery.run_id is None:
                retry = _post(hook, delivery.n)
                delivery.retried_status, delivery.run_id = retry.status, retry.run_id
        posted = [*before, *during, *after]

        runs = _wait_finished(client, flow_id, len(posted), lambda r: _diagnosis(stack, receiver, r))
        why = _diagnosis(stack, receiver, runs) + f"\nposted: {posted}"
        # No answer ever is a 4xx or a hang: a 202 or 200 names the run; a 5xx is followed by a retry.
        assert all(p.status in (200, 202) or p.status >= 500 for p in posted), why
        assert all(p.status in (200, 202) for p in after), why
        _assert_effectively_once(posted, runs, receiver, why)
        assert all(p.retried_status in (None, 200, 202) for p in posted), why
        print(
            f"[redis restart] stopped with {in_flight}/20 side effects applied; while down the web "
            f"answered {dict(Counter(p.status for p in during))} in {max(p.seconds for p in during):.2f}s "
            f"at most; retried after the restart with the same key: "
            f"{dict(Counter(p.retried_status for p in during))} (200: it had been stored); "
            f"{len(receiver.duplicates)} duplicate deliveries; sweeper re-sent {_resent(stack)} runs"
        )
