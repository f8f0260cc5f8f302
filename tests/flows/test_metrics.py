"""`GET /metrics`: Prometheus text read from the database at scrape time, and who may read it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import dramatiq
import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from prometheus_client.parser import text_string_to_metric_families

from flows.metrics import CONTENT_TYPE, WINDOW
from flows.models import Run, TriggerEvent, WebhookRejection
from tests.support.flows import chain, node
from tests.support.sink import HttpSink

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: Client | None = None, **extra: Any) -> Samples:
    response = (client or Client()).get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == CONTENT_TYPE
    samples: Samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def test_runs_steps_retries_and_rejections_are_counted(
    worker: None, test_run: Any, http_sink: HttpSink
) -> None:
    # given a flow that succeeded, one that failed, and an action that needed a second attempt
    ok = test_run(chain(node("go", "trigger.manual"), node("shape", "transform.map", fields={"n": 1})))
    broken = test_run(
        chain(node("go", "trigger.manual"), node("shape", "transform.map", fields={"n": {"throw": "boom"}}))
    )
    http_sink.reply(503)
    retry = {"max_attempts": 3, "base_seconds": 0.01, "max_seconds": 0.05}
    retried = test_run(
        chain(
            node("go", "trigger.manual"),
            node("call", "action.http", method="GET", url=http_sink.url("/"), retry=retry),
        )
    )
    assert (ok.status, broken.status, retried.status) == ("succeeded", "failed", "succeeded")
    # and rejected webhook requests counted over two hours
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    WebhookRejection.objects.create(
        flow=broken.flow, reason="signature", hour=hour - timedelta(hours=1), count=3
    )
    WebhookRejection.objects.create(flow=broken.flow, reason="signature", hour=hour, count=2)
    WebhookRejection.objects.create(flow=broken.flow, reason="too_large", hour=hour, count=1)

    # when Prometheus scrapes
    samples = scrape()

    # then runs are counted per flow (by id and name) and status, zeros included
    flow = {"flow": str(ok.flow_id), "flow_name": "A flow"}
    assert value(samples, "switchboard_runs", **flow, status="succeeded") == 1
    assert value(samples, "switchboard_runs", **flow, status="failed") == 0
    assert (
        value(samples, "switchboard_runs", flow=str(broken.flow_id), flow_name="A flow", status="failed") == 1
    )
    # step durations per node type, over the last hour
    assert value(samples, "switchboard_step_duration_seconds_count", node_type="transform.map") == 2
    assert value(samples, "switchboard_step_duration_seconds_count", node_type="trigger.manual") == 3
    assert value(samples, "switchboard_step_duration_seconds_bucket", node_type="action.http", le="+Inf") == 1
    took = value(samples, "switchboard_step_duration_seconds_sum", node_type="action.http")
    assert took is not None and 0 < took < 60
    buckets = sorted(
        (float(dict(labels)["le"]), count)
        for (name, labels), count in samples.items()
        if name == "switchboard_step_duration_seconds_bucket" and ("node_type", "transform.map") in labels
    )
    counts = [count for _, count in buckets]
    assert counts == sorted(counts) and counts[-1] == 2  # cumulative, up to +Inf
    # retries: the attempts beyond the first
    assert value(samples, "switchboard_step_retries_total", node_type="action.http") == 1
    assert value(samples, "switchboard_step_retries_recent", node_type="action.http") == 1
    # webhook rejections summed per flow and reason
    rejected = {"flow": str(broken.flow_id), "flow_name": "A flow"}
    assert value(samples, "switchboard_webhook_rejections_total", **rejected, reason="signature") == 5
    assert value(samples, "switchboard_webhook_rejections_total", **rejected, reason="too_large") == 1
    # and the broker answered
    assert value(samples, "switchboard_broker_up") == 1
    assert value(samples, "switchboard_queue_depth", queue="runs") is not None


def test_only_recent_steps_are_in_the_duration_window(worker: None, test_run: Any) -> None:
    # given a run whose steps finished before the window
    run = test_run(chain(node("go", "trigger.manual"), node("shape", "transform.map", fields={"n": 1})))
    long_ago = timezone.now() - WINDOW - timedelta(minutes=5)
    run.steps.update(started_at=long_ago, finished_at=long_ago)

    # then its steps are not in the histogram, while the run is still counted
    samples = scrape()
    assert value(samples, "switchboard_step_duration_seconds_count", node_type="transform.map") is None
    assert (
        value(samples, "switchboard_runs", flow=str(run.flow_id), flow_name="A flow", status="succeeded") == 1
    )


def test_queued_runs_are_counted_from_the_database(alice: Any, make_flow: Any) -> None:
    # given two runs stored as queued (no message was sent for them)
    flow = make_flow(chain(node("go", "trigger.manual"), node("shape", "transform.map", fields={"n": 1})))
    event = TriggerEvent.objects.create(flow=flow, kind="manual", payload={})
    Run.objects.create(flow=flow, event=event, correlation_id="a")
    Run.objects.create(flow=flow, event=event, correlation_id="b")

    # then the scrape counts them
    assert value(scrape(), "switchboard_runs_queued") == 2


@pytest.fixture
def private_broker() -> Iterator[dramatiq.Broker]:
    """A broker of the configured kind that no worker consumes, as the app's broker for one test."""
    before = dramatiq.get_broker()
    if isinstance(before, RedisBroker):
        broker: dramatiq.Broker = RedisBroker(
            url=django_settings.BROKER_URL, namespace="switchboard-metrics-test"
        )
    elif isinstance(before, StubBroker):
        broker = StubBroker()
    else:
        pytest.skip(f"no private broker for {type(before).__name__}")
    broker.declare_queue("runs")
    broker.flush_all()
    dramatiq.set_broker(broker)
    try:
        yield broker
    finally:
        broker.flush_all()
        dramatiq.set_broker(before)


@pytest.mark.django_db
def test_queue_depth_counts_the_messages_waiting_in_the_broker(private_broker: dramatiq.Broker) -> None:
    # given three messages waiting on the runs queue and one on its delay queue
    for n in range(3):
        private_broker.enqueue(
            dramatiq.Message(
                queue_name="runs", actor_name="execute_run", args=(str(n),), kwargs={}, options={}
            )
        )
    private_broker.enqueue(
        dramatiq.Message(queue_name="runs", actor_name="execute_run", args=("later",), kwargs={}, options={}),
        delay=60_000,
    )

    # then the scrape says so, per queue
    samples = scrape()
    assert value(samples, "switchboard_queue_depth", queue="runs") == 3
    assert value(samples, "switchboard_queue_depth", queue="runs.DQ") == 1


# --- who may scrape -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_token_only_loopback_clients_are_answered(settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    assert scrape(REMOTE_ADDR="127.0.0.1") is not None
    assert scrape(REMOTE_ADDR="::1") is not None
    assert scrape(REMOTE_ADDR="::ffff:127.0.0.1") is not None
    for extra in (
        {"REMOTE_ADDR": "203.0.113.9"},
        {"REMOTE_ADDR": "10.0.0.7"},
        # through a proxy on the same machine: the client is not the proxy
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"},
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_FORWARDED": "for=203.0.113.9"},
    ):
        response = Client().get("/metrics", **extra)
        assert response.status_code == 403, extra
        assert response["Content-Type"].startswith("application/problem+json")
        assert "METRICS_TOKEN" in response.json()["detail"]


@pytest.mark.django_db
def test_with_a_token_every_scrape_must_bring_it(settings: Any) -> None:
    settings.METRICS_TOKEN = "scrape-me-7f3a"
    for header in (None, "Bearer wrong", "scrape-me-7f3a", "Basic c2NyYXBlLW1lLTdmM2E="):
        extra = {"HTTP_AUTHORIZATION": header} if header else {}
        response = Client().get("/metrics", REMOTE_ADDR="127.0.0.1", **extra)
        assert response.status_code == 401, header
        assert response["WWW-Authenticate"].startswith("Bearer")
    # from anywhere, with the token
    samples = scrape(REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer scrape-me-7f3a")
    assert value(samples, "switchboard_broker_up") == 1


@pytest.mark.django_db
def test_metrics_are_read_only() -> None:
    assert Client().post("/metrics").status_code == 405
