"""A real local HTTP server for tests: records every request and answers with canned responses."""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.local_server import Answer, LocalServer


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str  # with its query string, as sent
    headers: dict[str, str]  # names in lower case
    body: bytes

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.path).query)

    def json(self) -> Any:
        return json.loads(self.body)


class HttpSink(LocalServer):
    """`with HttpSink() as sink:` serves on 127.0.0.1 at a free port until the block ends.

    Answers come from the queue filled by `reply` (one per request), then 200 with `{}`.
    """

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[Recorded] = []
        self._answers: deque[Answer] = deque()
        self._lock = threading.Lock()

    def reply(
        self,
        status: int = 200,
        *,
        json_body: Any = None,
        text: str | None = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> None:
        """Queue the answer to the next request not yet answered."""
        answer_headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode()
            answer_headers.setdefault("Content-Type", "application/json")
        else:
            body = (text or "").encode()
            answer_headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        with self._lock:
            self._answers.append(Answer(status, body, answer_headers, delay))

    def answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes, client_port: int
    ) -> Answer:
        with self._lock:
            self.requests.append(Recorded(method, path, headers, body))
            if self._answers:
                return self._answers.popleft()
        return Answer(200, b"{}", {"Content-Type": "application/json"})
