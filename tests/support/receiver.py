"""A local HTTP endpoint that applies each `Idempotency-Key` once, as a careful receiving API does.

The first request with a key is *applied* (recorded) before it is answered; a later request with the
same key is a duplicate delivery: it is recorded separately and answered with the first answer, and
nothing is applied again. A request can be held after it was applied (the receiver has done its work,
the sender has not heard back yet), which is the moment a crash drill kills the sender.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass

from tests.support.local_server import Answer, LocalServer


@dataclass(frozen=True)
class Delivery:
    key: str
    body: bytes
    client_port: int  # the sender's side of the TCP connection
    at: float  # time.monotonic() when it arrived

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


class IdempotentReceiver(LocalServer):
    """`with IdempotentReceiver() as receiver:` serves on 127.0.0.1 at a free port.

    `applied` maps each key to its first delivery; `duplicates` lists the deliveries of a key that
    was already applied; `unkeyed` counts requests without a key (a sender bug).
    """

    def __init__(self, answer_delay: float = 0.0) -> None:
        super().__init__()
        self.answer_delay = answer_delay
        self.applied: dict[str, Delivery] = {}
        self.duplicates: list[Delivery] = []
        self.unkeyed = 0
        self.held: Delivery | None = None
        self._hold_at: int | None = None
        self._held_event = threading.Event()
        self._release = threading.Event()
        self._lock = threading.Lock()

    def hold(self, nth: int) -> None:
        """Hold the `nth` applied key's request (1-based) unanswered until `release()`."""
        self._hold_at = nth

    def wait_held(self, timeout: float) -> Delivery:
        if not self._held_event.wait(timeout):
            raise AssertionError(f"no request was held within {timeout}s ({len(self.applied)} applied)")
        assert self.held is not None
        return self.held

    def release(self) -> None:
        self._release.set()

    def count(self) -> int:
        with self._lock:
            return len(self.applied)

    def answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes, client_port: int
    ) -> Answer:
        status, answer = self._receive(headers.get("idempotency-key"), body, client_port)
        return Answer(status, answer, {"Content-Type": "application/json"})

    def _receive(self, key: str | None, body: bytes, client_port: int) -> tuple[int, bytes]:
        """Apply the request once per key; the answer to send (the first answer again for a repeat)."""
        if not key:
            with self._lock:
                self.unkeyed += 1
            return 400, b'{"error": "an Idempotency-Key is required"}'
        delivery = Delivery(key, body, client_port, time.monotonic())
        hold = False
        with self._lock:
            first = self.applied.get(key)
            if first is None:
                self.applied[key] = delivery
                hold = len(self.applied) == self._hold_at
            else:
                self.duplicates.append(delivery)
        if first is not None and first.digest != delivery.digest:
            return 422, b'{"error": "this Idempotency-Key came before with another body"}'
        answer = json.dumps({"applied": key, "first_seen": first is None}).encode()
        if hold:
            self.held = delivery
            self._held_event.set()
            self._release.wait(60)
        elif self.answer_delay:
            time.sleep(self.answer_delay)
        return 200, answer

    def stop(self) -> None:
        self._release.set()  # a held request must not keep the server from stopping
        super().stop()
