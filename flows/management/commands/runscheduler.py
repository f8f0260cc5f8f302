"""`manage.py runscheduler`: fire schedule triggers and re-send lost runs (safe to run twice)."""

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from flows.scheduler import run_forever


class Command(BaseCommand):
    help = "Run the scheduler and the outbox sweeper until interrupted."

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write("Scheduler running; Ctrl-C stops it.")
        run_forever(stop)
        self.stdout.write("Scheduler stopped.")
