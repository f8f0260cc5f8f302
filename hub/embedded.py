"""The embedded mode: with no external broker, a real Dramatiq worker runs inside this process."""

from __future__ import annotations

import logging
import threading

import dramatiq
from django.conf import settings

log = logging.getLogger("switchboard.embedded")
_lock = threading.Lock()
_worker: dramatiq.Worker | None = None


def start_worker() -> dramatiq.Worker:
    """Start the in-process worker once (idempotent), consuming every queue of the stub broker."""
    global _worker
    with _lock:
        if _worker is None:
            broker = dramatiq.get_broker()
            broker.emit_after("process_boot")
            _worker = dramatiq.Worker(
                broker, worker_threads=settings.EMBEDDED_WORKER_THREADS, worker_timeout=100
            )
            _worker.start()
            log.info("embedded worker started with %d threads", settings.EMBEDDED_WORKER_THREADS)
        return _worker


def stop_worker() -> None:
    global _worker
    with _lock:
        if _worker is not None:
            _worker.stop()
            _worker = None
