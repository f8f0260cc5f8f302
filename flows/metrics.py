"""`GET /metrics`: Prometheus metrics, read from the database (and the broker) at scrape time.

Nothing is counted in process memory, so every web process answers with the same numbers however
many web and worker processes there are, and a restart loses nothing. What is exposed:

- `switchboard_runs{flow, flow_name, status}` (gauge): runs stored, per flow and status. `flow` is the
  flow's id (stable across renames), `flow_name` its current name.
- `switchboard_runs_queued` (gauge): runs waiting for a worker, from the database.
- `switchboard_step_duration_seconds{node_type}` (histogram): wall time from a step's first start to
  its finish (retry back-off and delays included), over the succeeded and failed steps that finished
  in the last hour (`WINDOW`). It is a sliding window, so it goes down as well as up: read it with
  `histogram_quantile()` on the series as they are, not through `rate()`.
- `switchboard_step_retries_total{node_type}` (counter): attempts beyond the first, over every step
  stored. Run retention deletes old steps, which lowers it; `switchboard_step_retries_recent` (steps
  started in the last hour) is the one to alert on when `RUN_RETENTION_DAYS` is set.
- `switchboard_queue_depth{queue}` (gauge): messages waiting in the broker, per queue and delay queue
  (Redis `LLEN`, RabbitMQ passive queue declare, the in-process broker's queue size);
  `switchboard_broker_up` is 0 when the broker could not be asked.
- `switchboard_webhook_rejections_total{flow, flow_name, reason}` (counter): refused webhook requests.

Access: with `METRICS_TOKEN` set, a scrape must send `Authorization: Bearer <METRICS_TOKEN>`. Without
it, only loopback clients are answered, and never a request that came through a proxy (one carrying
`Forwarded` or `X-Forwarded-For`), since behind a local proxy every client looks like loopback.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import dramatiq
from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

from flows.models import Flow, Run, RunStatus, StepRun, StepStatus, WebhookRejection
from hub.problems import Forbidden, Problem, response

log = logging.getLogger("switchboard.metrics")

# The classic text format: every Prometheus version reads it, and these names need nothing newer.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
WINDOW = timedelta(hours=1)
# Upper bounds (seconds) of the step duration buckets: from quick transforms to hour-long delays.
DURATION_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0, 3600.0)


class SwitchboardCollector(Collector):
    """Every metric, from a handful of aggregate queries per scrape."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        names = {str(pk): name for pk, name in Flow.objects.values_list("id", "name")}
        yield _runs(names)
        yield GaugeMetricFamily(
            "switchboard_runs_queued",
            "Runs stored as queued: waiting for a worker to take them.",
            value=Run.objects.filter(status=RunStatus.QUEUED).count(),
        )
        yield _step_durations(now)
        yield from _step_retries(now)
        yield from _queue_depth()
        yield _webhook_rejections(names)


def _runs(names: dict[str, str]) -> Metric:
    family = GaugeMetricFamily(
        "switchboard_runs", "Runs stored, per flow and status.", labels=["flow", "flow_name", "status"]
    )
    counts = {
        (str(row["flow_id"]), row["status"]): row["n"]
        for row in Run.objects.values("flow_id", "status").annotate(n=Count("id")).order_by()
    }
    # Every status of every flow, zeros included, so a series exists before its first run.
    for flow_id, name in sorted(names.items(), key=lambda item: item[1]):
        for status in RunStatus.values:
            family.add_metric([flow_id, name, status], counts.get((flow_id, status), 0))
    return family


def _step_durations(now: datetime) -> Metric:
    family = HistogramMetricFamily(
        "switchboard_step_duration_seconds",
        f"Time from a step's first start to its finish, over the steps that finished in the last "
        f"{int(WINDOW.total_seconds())} seconds (a sliding window).",
        labels=["node_type"],
    )
    took = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    buckets = {
        f"le_{index}": Count("id", filter=Q(took__lte=timedelta(seconds=bound)))
        for index, bound in enumerate(DURATION_BUCKETS)
    }
    rows = (
        StepRun.objects.filter(
            Q(finished_at__gte=now - WINDOW),
            # Not a copy made by a replay from the failed step: those finished before their run began.
            Q(finished_at__gte=F("run__created_at")),
            started_at__isnull=False,
            status__in=[StepStatus.SUCCEEDED, StepStatus.FAILED],
        )
        .annotate(took=took)
        .values("node_type")
        .annotate(count=Count("id"), total=Sum("took"), **buckets)
        .order_by("node_type")
    )
    for values in rows:
        row: dict[str, Any] = dict(values)
        total: timedelta | None = row["total"]
        family.add_metric(
            [row["node_type"]],
            buckets=[
                *((repr(bound), row[f"le_{index}"]) for index, bound in enumerate(DURATION_BUCKETS)),
                ("+Inf", row["count"]),
            ],
            sum_value=max(total.total_seconds(), 0.0) if total is not None else 0.0,
        )
    return family


def _step_retries(now: datetime) -> Iterator[Metric]:
    total = CounterMetricFamily(
        "switchboard_step_retries",
        "Attempts beyond the first, over every step stored (run retention lowers it).",
        labels=["node_type"],
    )
    recent = GaugeMetricFamily(
        "switchboard_step_retries_recent",
        f"Attempts beyond the first, of the steps that started in the last "
        f"{int(WINDOW.total_seconds())} seconds.",
        labels=["node_type"],
    )
    rows = (
        StepRun.objects.filter(attempts__gt=1)
        # A replay from the failed step copies the steps that had succeeded, attempts and all.
        .exclude(finished_at__lt=F("run__created_at"))
        .values("node_type")
        .annotate(
            retries=Sum(F("attempts") - 1),
            recent=Sum(F("attempts") - 1, filter=Q(started_at__gte=now - WINDOW)),
        )
        .order_by("node_type")
    )
    for row in rows:
        total.add_metric([row["node_type"]], row["retries"] or 0)
        recent.add_metric([row["node_type"]], row["recent"] or 0)
    yield total
    yield recent


def broker_queue_depths() -> dict[str, int]:
    """Messages waiting in each queue (and delay queue) the configured broker knows of."""
    broker = dramatiq.get_broker()
    queues = sorted(broker.get_declared_queues() | broker.get_declared_delay_queues())
    if isinstance(broker, StubBroker):
        return {name: broker.queues[name].qsize() for name in queues if name in broker.queues}
    if isinstance(broker, RedisBroker):
        pipe = broker.client.pipeline(transaction=False)
        for name in queues:
            pipe.llen(f"{broker.namespace}:{name}")
        return dict(zip(queues, (int(n) for n in pipe.execute()), strict=True))
    if isinstance(broker, RabbitmqBroker):
        import pika.exceptions

        depths: dict[str, int] = {}
        for name in queues:
            try:
                declared = broker.channel.queue_declare(queue=name, passive=True)
                depths[name] = int(declared.method.message_count)
            except pika.exceptions.ChannelClosedByBroker:
                del broker.channel  # a queue nobody declared yet: nothing waits in it
                depths[name] = 0
        return depths
    raise TypeError(f"no queue depth for a {type(broker).__name__}")


def _queue_depth() -> Iterator[Metric]:
    depth = GaugeMetricFamily(
        "switchboard_queue_depth", "Messages waiting in the broker, per queue.", labels=["queue"]
    )
    try:
        depths = broker_queue_depths()
        up = 1
    except Exception:
        log.warning("metrics: the broker could not be asked for its queue depths", exc_info=True)
        depths, up = {}, 0
    for name, count in depths.items():
        depth.add_metric([name], count)
    yield depth
    yield GaugeMetricFamily(
        "switchboard_broker_up", "1 when the broker answered for the queue depths, else 0.", value=up
    )


def _webhook_rejections(names: dict[str, str]) -> Metric:
    family = CounterMetricFamily(
        "switchboard_webhook_rejections",
        "Webhook requests refused, per flow and reason.",
        labels=["flow", "flow_name", "reason"],
    )
    rows = (
        WebhookRejection.objects.values("flow_id", "reason")
        .annotate(total=Sum("count"))
        .order_by("flow_id", "reason")
    )
    for row in rows:
        flow_id = str(row["flow_id"])
        family.add_metric([flow_id, names.get(flow_id, ""), row["reason"]], row["total"] or 0)
    return family


# --- the view -------------------------------------------------------------------------------------


def _is_loopback(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def _refusal(request: HttpRequest) -> Problem | None:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return None
        return Problem(
            "Send `Authorization: Bearer <METRICS_TOKEN>` to read the metrics.",
            status=401,
            title="Not authenticated",
            slug="not-authenticated",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    proxied = "Forwarded" in request.headers or "X-Forwarded-For" in request.headers
    if _is_loopback(request.META.get("REMOTE_ADDR")) and not proxied:
        return None
    return Forbidden(
        "Without METRICS_TOKEN set, the metrics are served to loopback clients only; "
        "set METRICS_TOKEN to scrape them from elsewhere."
    )


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    refusal = _refusal(request)
    if refusal is not None:
        return response(refusal)
    return HttpResponse(generate_latest(SwitchboardCollector()), content_type=CONTENT_TYPE)
