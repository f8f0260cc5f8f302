"""A real local SMTP server for tests (aiosmtpd): records every message, can refuse chosen recipients."""

from __future__ import annotations

import asyncio
import email
import email.policy
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True)
class Received:
    mail_from: str
    recipients: list[str]
    message: EmailMessage


class SmtpSink:
    """`with SmtpSink() as sink:` serves on 127.0.0.1 at a free port; `sink.messages` is what arrived."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.refusals: dict[str, str] = {}  # recipient → the SMTP reply that refuses it
        self._controller = _Controller(self, hostname="127.0.0.1", port=0)

    @property
    def port(self) -> int:
        return self._controller.port

    def refuse(self, recipient: str, reply: str = "550 5.1.1 No such user") -> None:
        self.refusals[recipient] = reply

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    # aiosmtpd handler hooks
    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refusals:
            return self.refusals[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content: Any = envelope.original_content or envelope.content or b""
        # SMTP carries CRLF line ends; the parser keeps them in the body unless they become plain LF.
        message = email.message_from_bytes(content.replace(b"\r\n", b"\n"), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), message))
        return "250 Message accepted"


class _Controller(Controller):
    def _trigger_server(self) -> None:
        # aiosmtpd connects to self.port to finish starting; with port 0 the real one is known only now.
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()
