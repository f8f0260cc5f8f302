"""`action.email`: sends a plain-text e-mail through the configured mail backend (SMTP in production)."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from email.utils import formataddr, getaddresses, parseaddr
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, make_msgid
from django.core.validators import validate_email
from pydantic import Field

from nodes import outbound
from nodes.registry import NodeConfig, NodeError, NodeType, register, widget

if TYPE_CHECKING:
    from nodes.context import NodeContext

ADDRESSES_HELP = "An address, several separated by commas, or a list; {{ templates }} allowed."


class EmailConfig(NodeConfig):
    to: str | list[str] = Field(
        description=f"Who receives it. {ADDRESSES_HELP}", json_schema_extra=widget("template")
    )
    subject: str = Field(
        description="The subject line; may hold {{ templates }}.", json_schema_extra=widget("template")
    )
    text: str = Field(
        description="The message, as plain text; may hold {{ templates }}.",
        json_schema_extra=widget("template"),
    )
    cc: str | list[str] | None = Field(
        title="Cc", default=None, description=f"Who receives a copy. {ADDRESSES_HELP}"
    )
    reply_to: str | list[str] | None = Field(
        title="Reply to",
        default=None,
        description=f"Where replies go instead of the sender. {ADDRESSES_HELP}",
    )


@register
class SendEmail(NodeType[EmailConfig]):
    type = "action.email"
    title = "Send e-mail"
    category = "action"
    description = "Sends a plain-text e-mail and outputs its Message-ID."
    Config = EmailConfig
    example = {
        "to": "{{ input.email }}",
        "subject": "Your order {{ input.id }}",
        "text": "Hello {{ input.name }},\n\nthank you for your order.",
    }

    def execute(self, ctx: NodeContext, config: EmailConfig, input: Any) -> dict[str, Any]:
        to = _addresses(ctx, "to", config.to)
        if not to:
            raise NodeError("to: there is no address to send to.")
        sender = settings.DEFAULT_FROM_EMAIL
        message_id = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
        message = EmailMessage(
            # A line break would end the header; a subject built from data may well hold one.
            subject=" ".join(outbound.as_text(ctx.evaluate(config.subject)).split()),
            body=outbound.as_text(ctx.evaluate(config.text)),
            from_email=sender,
            to=to,
            cc=_addresses(ctx, "cc", config.cc),
            reply_to=_addresses(ctx, "reply_to", config.reply_to),
            headers={"Message-ID": message_id, "X-Correlation-ID": ctx.correlation_id},
        )
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as error:
            refused = ", ".join(
                f"{address} ({code} {_text(reply)})" for address, (code, reply) in error.recipients.items()
            )
            # 4xx means "not now" (a full mailbox, greylisting); 5xx means never.
            temporary = all(400 <= code < 500 for code, _ in error.recipients.values())
            raise NodeError(f"The mail server refused {refused}.", retryable=temporary) from None
        except smtplib.SMTPResponseException as error:
            raise NodeError(
                f"The mail server answered {error.smtp_code} {_text(error.smtp_error)}.",
                retryable=400 <= error.smtp_code < 500,
            ) from None
        except OSError as error:  # refused or dropped connections, timeouts, TLS failures
            raise NodeError(f"Could not reach the mail server: {error}", retryable=True) from None
        except ValueError as error:  # Django refuses to build a message it cannot encode safely
            raise NodeError(f"The message could not be built: {error}") from None
        return {"message_id": message_id}


def _addresses(ctx: NodeContext, field: str, value: str | list[str] | None) -> list[str]:
    """Evaluated, checked and normalised addresses; NodeError naming the first bad one."""
    addresses: list[str] = []
    for item in _flat(ctx.evaluate(value)):
        if item is None or item == "":
            continue  # an optional address from the data that is not there
        text = outbound.as_text(item)
        parsed = getaddresses([text]) if "\r" not in text and "\n" not in text else []
        for name, address in parsed or [("", "")]:
            try:
                validate_email(address)
            except ValidationError:
                raise NodeError(f"{field}: {address or text!r} is not a valid e-mail address.") from None
            addresses.append(formataddr((name, address)))
    return addresses


def _flat(value: Any) -> Iterator[Any]:
    """Lists inside the list too: ["boss@example.com", "{{ input.team }}"] may read a list of addresses."""
    if isinstance(value, list):
        for item in value:
            yield from _flat(item)
    else:
        yield value


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply
