"""`/healthz` (the process is up) and `/readyz` (the database and the broker answer)."""

from __future__ import annotations

import logging

import dramatiq
from django.db import connection
from django.http import HttpRequest, JsonResponse

log = logging.getLogger(__name__)


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except Exception:
        log.warning("readiness: the database does not answer", exc_info=True)
        return False


def _broker_ok() -> bool:
    broker = dramatiq.get_broker()
    try:
        client = getattr(broker, "client", None)
        if client is not None:  # Redis
            client.ping()
        elif hasattr(broker, "connection"):  # RabbitMQ: opening the connection is the check
            broker.connection  # noqa: B018
        return True
    except Exception:
        log.warning("readiness: the broker does not answer", exc_info=True)
        return False


def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    ready = all(checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )
