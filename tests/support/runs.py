"""Waiting for runs to reach a state, as a person watching the run page would."""

from __future__ import annotations

import time
from typing import Any

from flows.models import FINISHED, Run


def wait_for_run(run_id: Any, statuses: tuple[str, ...] = FINISHED, timeout: float = 30.0) -> Run:
    deadline = time.monotonic() + timeout
    while True:
        run = Run.objects.filter(pk=run_id).first()
        if run is not None and run.status in statuses:
            return run
        if time.monotonic() > deadline:
            state = run.status if run else "missing"
            raise AssertionError(f"run {run_id} is {state} after {timeout}s, not one of {statuses}")
        time.sleep(0.05)
