"""The interface every benchmarked system implements, so one harness drives them all side by side.

How the harness finds systems: each module `bench/systems/<module>.py` exposes
`SYSTEMS: dict[str, Callable[[], System]]` (name → factory taking no arguments), e.g.
`SYSTEMS = {"n8n": lambda: N8n(legacy=False), "n8n-legacy": lambda: N8n(legacy=True)}`. (Failing that,
every class in the module with a string class attribute `name` is instantiated with no arguments.)
`start` raises (preferably `SystemUnavailable`, with the reason) when the system cannot run here; the
harness then reports it as not measured and goes on. `stop` must be safe to call after a failed `start`.
Optional extras the harness uses when present: `backlog() -> int` (runs accepted but not finished),
`scales_with_workers: bool` (True: scenario (d) is measured again with workers=2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

# The flows every system deploys (see `System.start`).
FLOWS = ("e2e", "noop-1", "noop-10", "noop-40")
NOOP_STEPS = {"noop-1": 1, "noop-10": 10, "noop-40": 40}


class SystemUnavailable(RuntimeError):
    """The system cannot be installed or started here; the harness reports it as not measured."""


@runtime_checkable
class System(Protocol):
    name: str  # "switchboard", "node-red", "n8n", "n8n-legacy"

    def version(self) -> str: ...

    def settings(self) -> dict[str, str]:
        """Shown in the report (mode, database, workers…)."""
        ...

    def start(self, *, sink_url: str, workdir: Path, workers: int = 1) -> None:
        """Install if needed (peers: into workdir, outside the repo), start, and deploy the flows.

        "e2e": webhook → filter body.total > 100 → set/map two fields → HTTP POST (JSON) to sink_url,
        answering the webhook at once (202/200 "accepted"); the mapped body carries `id` and `sent_at`
        of the webhook body through to the sink.
        "noop-1", "noop-10", "noop-40": webhook → N no-op steps, the webhook answered when the flow has
        finished (Switchboard: respond "result").
        """
        ...

    def webhook_url(self, flow: str) -> str: ...

    def stop(self) -> None: ...
