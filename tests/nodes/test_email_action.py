"""`action.email` through Django's SMTP backend to a real local SMTP server."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest

from nodes.builtin.action.email import SendEmail
from nodes.context import NodeContext
from nodes.registry import NodeError
from tests.nodes.conftest import CORRELATION_ID
from tests.support.smtp import SmtpSink

MakeContext = Callable[..., NodeContext]
ORDER = {
    "id": 42,
    "customer": {"name": "Zoë Jansen", "email": "zoe@example.com"},
    "team": ["ops@example.com", "sales@example.com"],
}


def send(make_context: MakeContext, config: dict[str, Any]) -> dict[str, Any]:
    node = SendEmail()
    return node.execute(make_context(ORDER), node.parse_config(config), ORDER)


def test_sends_the_evaluated_message(make_context: MakeContext, smtp_sink: SmtpSink) -> None:
    # given an e-mail whose recipients, subject and text read the order
    config = {
        "to": "{{ input.customer.name }} <{{ input.customer.email }}>",
        "cc": "{{ input.team }}",
        "reply_to": "support@example.com",
        "subject": "Order {{ input.id }}\nconfirmed",
        "text": "Hello {{ input.customer.name }},\nyour order {{ input.id }} is confirmed.",
    }
    # when the node runs
    output = send(make_context, config)
    # then one message went to every recipient, filled in
    (received,) = smtp_sink.messages
    message = received.message
    assert sorted(received.recipients) == ["ops@example.com", "sales@example.com", "zoe@example.com"]
    assert received.mail_from == "switchboard@localhost"
    assert message["To"].addresses[0].display_name == "Zoë Jansen"
    assert message["To"].addresses[0].addr_spec == "zoe@example.com"
    assert message["Cc"] == "ops@example.com, sales@example.com"
    assert message["Reply-To"] == "support@example.com"
    assert message["Subject"] == "Order 42 confirmed"  # a line break in a subject is folded away
    assert message.get_content() == "Hello Zoë Jansen,\nyour order 42 is confirmed.\n"
    assert message["X-Correlation-ID"] == CORRELATION_ID
    # and the output names the message by the Message-ID it carried
    assert output == {"message_id": message["Message-ID"]}
    assert output["message_id"].endswith("@localhost>")


def test_several_recipients_in_a_list_one_string_or_read_from_the_data(
    make_context: MakeContext, smtp_sink: SmtpSink
) -> None:
    send(make_context, {"to": ["a@example.com", "{{ input.customer.email }}"], "subject": "s", "text": "t"})
    send(make_context, {"to": "a@example.com, b@example.com", "subject": "s", "text": "t"})
    send(make_context, {"to": ["boss@example.com", "{{ input.team }}"], "subject": "s", "text": "t"})
    assert [sorted(m.recipients) for m in smtp_sink.messages] == [
        ["a@example.com", "zoe@example.com"],
        ["a@example.com", "b@example.com"],
        ["boss@example.com", "ops@example.com", "sales@example.com"],
    ]


@pytest.mark.parametrize(
    ("to", "named"),
    [
        ("not-an-address", "'not-an-address'"),
        (["ok@example.com", "also wrong@"], "'also wrong@'"),
        ("ok@example.com, nope", "'nope'"),
        ("{{ input.id }}", "'42'"),
        ("evil@example.com\r\nBcc: victim@example.com", "Bcc"),
    ],
)
def test_a_bad_address_fails_naming_it(
    make_context: MakeContext, smtp_sink: SmtpSink, to: Any, named: str
) -> None:
    # given a recipient that is no e-mail address once evaluated
    # when the node runs
    with pytest.raises(NodeError) as failed:
        send(make_context, {"to": to, "subject": "s", "text": "t"})
    # then it fails for good naming the address, and nothing was sent
    assert named in failed.value.message
    assert failed.value.message.startswith("to: ")
    assert not failed.value.retryable
    assert smtp_sink.messages == []


def test_no_recipient_at_all_fails(make_context: MakeContext, smtp_sink: SmtpSink) -> None:
    with pytest.raises(NodeError, match="no address"):
        send(make_context, {"to": "{{ input.nobody }}", "subject": "s", "text": "t"})


def test_a_bad_cc_address_is_named_as_cc(make_context: MakeContext, smtp_sink: SmtpSink) -> None:
    with pytest.raises(NodeError, match=r"^cc: 'x@' is not a valid e-mail address"):
        send(make_context, {"to": "a@example.com", "cc": ["x@"], "subject": "s", "text": "t"})


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [
        ("550 5.1.1 No such user", False),
        ("451 4.7.1 Greylisted, try again later", True),
    ],
)
def test_a_refused_recipient_fails_retryable_only_when_temporary(
    make_context: MakeContext, smtp_sink: SmtpSink, reply: str, retryable: bool
) -> None:
    # given a mail server that refuses the recipient
    smtp_sink.refuse("gone@example.com", reply)
    # when the node sends to it
    with pytest.raises(NodeError) as failed:
        send(make_context, {"to": "gone@example.com", "subject": "s", "text": "t"})
    # then the failure names the recipient and the server's reply, retryable for a 4xx only
    assert "gone@example.com" in failed.value.message
    assert reply.split(" ", 1)[0] in failed.value.message
    assert failed.value.retryable is retryable


def test_an_unreachable_mail_server_is_retryable(make_context: MakeContext, settings: Any) -> None:
    # given the SMTP backend pointed at a local port nobody listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    # when the node sends
    with pytest.raises(NodeError, match="Could not reach the mail server") as failed:
        send(make_context, {"to": "a@example.com", "subject": "s", "text": "t"})
    # then trying later may help
    assert failed.value.retryable


@pytest.mark.parametrize(
    ("config", "fields"),
    [
        ({}, ["to", "subject", "text"]),  # each required field is named
        ({"to": 5, "subject": "s", "text": "t"}, ["to"]),
        ({"to": "a@example.com", "subject": "s", "text": "t", "bcc": "b@example.com"}, [None]),
    ],
)
def test_invalid_config_is_refused(config: dict[str, Any], fields: list[str | None]) -> None:
    assert [path for path, _ in SendEmail().validate_config(config)] == fields
