"""`action.slack` and `action.teams` against a real local server standing in for the incoming webhook:
what is sent, how refusals read, and that the webhook URL (a credential) never shows."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from typing import Any

import pytest

from flows.models import RunStatus, StepRun
from hub.problems import ValidationProblem
from nodes import services
from nodes.builtin.action.slack import SlackMessage
from nodes.builtin.action.teams import TeamsMessage
from nodes.context import NodeContext
from nodes.registry import NodeError, NodeType
from tests.flows.conftest import steps_of
from tests.support.flows import chain, node
from tests.support.sink import HttpSink

MakeContext = Callable[..., NodeContext]
SECRET_PATH = "/services/T0001/B0002/s3cr3tT0k3n"
ORDER = {"id": 42, "customer": {"name": "Ann"}, "total": 120.5, "priority": "high"}


@pytest.fixture(autouse=True)
def _sink_allowed(settings: Any) -> None:
    settings.EGRESS_ALLOW = ["127.0.0.1"]


@pytest.fixture
def hook(db: Any, alice: Any, http_sink: HttpSink) -> str:
    """An incoming_webhook connection whose secret is the sink's URL with a secret path; its id."""
    connection, _ = services.connection_create(
        user=alice, name="#sales", kind="incoming_webhook", secret=http_sink.url(SECRET_PATH)
    )
    return str(connection.pk)


def send(
    make_context: MakeContext, node_type: NodeType[Any], config: dict[str, Any], input: Any = ORDER
) -> Any:
    assert node_type.validate_config(config) == []
    return node_type.execute(make_context(input, node_id="tell"), node_type.parse_config(config), input)


def test_slack_posts_text_blocks_and_sender(
    make_context: MakeContext, http_sink: HttpSink, hook: str
) -> None:
    # given a Slack step whose text and blocks read the order
    http_sink.reply(200, text="ok")
    config = {
        "connection": hook,
        "text": "New order {{ input.id }} from {{ input.customer.name }}",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*Total:* {{ input.total }}"}}],
        "username": "Shop bot",
        "icon_emoji": ":moneybag:",
    }
    # when it runs
    output = send(make_context, SlackMessage(), config)
    # then Slack's webhook received that JSON, evaluated, and the output is the status alone
    (request,) = http_sink.requests
    assert request.method == "POST" and request.path == SECRET_PATH
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {
        "text": "New order 42 from Ann",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*Total:* 120.5"}}],
        "username": "Shop bot",
        "icon_emoji": ":moneybag:",
    }
    assert output == {"status": 200}


def test_slack_text_only(make_context: MakeContext, http_sink: HttpSink, hook: str) -> None:
    send(make_context, SlackMessage(), {"connection": hook, "text": "Hi"})
    assert http_sink.requests[0].json() == {"text": "Hi"}


@pytest.mark.parametrize(
    ("status", "code", "explained", "retryable"),
    [
        (400, "invalid_payload", "Slack could not read the message", False),
        (404, "no_service", "the webhook was removed or disabled in Slack", False),
        (403, "action_prohibited", "does not allow this webhook", False),
        (410, "channel_is_archived", "the webhook's channel is archived", False),
        (429, "rate_limited", "tried again later", True),
        (400, "something_new", None, False),
    ],
)
def test_slack_refusals_read_plainly_and_hide_the_url(
    make_context: MakeContext,
    http_sink: HttpSink,
    hook: str,
    caplog: pytest.LogCaptureFixture,
    status: int,
    code: str,
    explained: str | None,
    retryable: bool,
) -> None:
    # given Slack answering with one of its error words
    http_sink.reply(status, text=code, headers={"Retry-After": "7"} if status == 429 else None)
    # when the step runs
    with caplog.at_level(logging.DEBUG), pytest.raises(NodeError) as raised:
        send(make_context, SlackMessage(), {"connection": hook, "text": "Hi"})
    # then the message says what Slack said, in words, and whether trying again helps
    error = raised.value
    assert error.message.startswith(f"Slack refused the message ({status}): {code}")
    if explained:
        assert explained in error.message
    assert error.retryable is retryable
    assert error.retry_after == (7 if retryable else None)
    assert error.output == {"status": status, "error": error.message.split(": ", 1)[1]}
    # and the webhook's secret path is nowhere: not in the error, its output, nor the logs
    assert "s3cr3t" not in error.message + str(error.output) + caplog.text


def test_failures_before_an_answer_hide_the_url(
    make_context: MakeContext, alice: Any, caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    # given a webhook URL on a port where nothing listens
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    connection, _ = services.connection_create(
        user=alice, name="gone", kind="incoming_webhook", secret=f"http://127.0.0.1:{port}{SECRET_PATH}?x=1"
    )
    config = {"connection": str(connection.pk), "text": "Hi"}
    # when the step runs, then it fails (retryably) naming the host only
    with caplog.at_level(logging.DEBUG), pytest.raises(NodeError) as refused:
        send(make_context, SlackMessage(), config)
    assert refused.value.retryable and "POST http://127.0.0.1/… failed" in refused.value.message
    # and when the egress guard refuses the address, it says so, naming the host only
    settings.EGRESS_ALLOW = []
    with caplog.at_level(logging.DEBUG), pytest.raises(NodeError) as guarded:
        send(make_context, TeamsMessage(), {**config, "text": "Hi"})
    assert "Refused to connect to 127.0.0.1" in guarded.value.message
    assert "s3cr3t" not in refused.value.message + guarded.value.message + caplog.text


def test_a_connection_that_holds_no_url_is_refused_without_quoting_it(alice: Any) -> None:
    # when an incoming_webhook connection is made with something that is not a web address
    with pytest.raises(ValidationProblem) as raised:
        services.connection_create(
            user=alice, name="pasted wrong", kind="incoming_webhook", secret="ftp://example.com/s3cr3t"
        )
    # then it is refused at once, naming the secret field without quoting it
    (problem,) = raised.value.errors
    assert problem.field == "secret" and "s3cr3t" not in problem.message


def test_another_kind_of_connection_is_not_used(make_context: MakeContext, alice: Any) -> None:
    signing, _ = services.connection_create(user=alice, name="signing", kind="webhook_secret")
    with pytest.raises(NodeError, match="No incoming_webhook connection"):
        send(make_context, SlackMessage(), {"connection": str(signing.pk), "text": "Hi"})


def test_teams_posts_an_adaptive_card(make_context: MakeContext, http_sink: HttpSink, hook: str) -> None:
    # given a Teams step with a title, text, facts and a link, and Workflows answering 202 as they do
    http_sink.reply(202, text="")
    config = {
        "connection": hook,
        "title": "Order {{ input.id }}",
        "text": "**{{ input.customer.name }}** ordered for {{ input.total }} EUR",
        "facts": {"Priority": "{{ input.priority }}", "Total": "{{ input.total }}"},
        "link": {"title": "Open", "url": "https://shop.example.com/orders/{{ input.id }}"},
    }
    # when it runs
    output = send(make_context, TeamsMessage(), config)
    # then the webhook received a message with one Adaptive Card 1.4 attachment
    (request,) = http_sink.requests
    assert request.path == SECRET_PATH
    sent = request.json()
    assert sent["type"] == "message"
    (attachment,) = sent["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    title, text, facts = card["body"]
    assert title["type"] == "TextBlock" and title["text"] == "Order 42" and title["weight"] == "Bolder"
    assert text == {"type": "TextBlock", "text": "**Ann** ordered for 120.5 EUR", "wrap": True}
    assert facts == {
        "type": "FactSet",
        "facts": [{"title": "Priority", "value": "high"}, {"title": "Total", "value": "120.5"}],
    }
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open", "url": "https://shop.example.com/orders/42"}
    ]
    assert output == {"status": 202}


def test_teams_text_only_card(make_context: MakeContext, http_sink: HttpSink, hook: str) -> None:
    send(make_context, TeamsMessage(), {"connection": hook, "text": "Deployed"})
    card = http_sink.requests[0].json()["attachments"][0]["content"]
    assert card["body"] == [{"type": "TextBlock", "text": "Deployed", "wrap": True}] and "actions" not in card


def test_teams_refusal_reads_plainly(make_context: MakeContext, http_sink: HttpSink, hook: str) -> None:
    http_sink.reply(
        400, json_body={"error": {"code": "InvalidRequestContent", "message": "The card is invalid."}}
    )
    with pytest.raises(NodeError) as raised:
        send(make_context, TeamsMessage(), {"connection": hook, "text": "x"})
    assert (
        raised.value.message
        == "Teams refused the message (400): InvalidRequestContent — The card is invalid."
    )
    assert not raised.value.retryable


def test_teams_link_must_be_a_web_address(make_context: MakeContext, http_sink: HttpSink, hook: str) -> None:
    config = {"connection": hook, "text": "x", "link": {"title": "Open", "url": "{{ input.nope }}"}}
    with pytest.raises(NodeError, match=r"link\.url"):
        send(make_context, TeamsMessage(), config)
    assert http_sink.requests == []


@pytest.mark.parametrize(
    ("node_type", "config", "field"),
    [
        (SlackMessage(), {"text": "x"}, "connection"),
        (SlackMessage(), {"connection": "c"}, "text"),
        (SlackMessage(), {"connection": "c", "text": "x", "icon_emoji": "rocket"}, "icon_emoji"),
        (TeamsMessage(), {"connection": "c", "text": "x", "link": {"title": "t"}}, "link.url"),
        (TeamsMessage(), {"connection": "c", "text": "x", "facts": {"a": 1}}, "facts.a"),
    ],
)
def test_invalid_config_is_refused(node_type: NodeType[Any], config: dict[str, Any], field: str) -> None:
    assert field in [path for path, _ in node_type.validate_config(config)]


def test_in_a_real_flow_the_url_stays_out_of_the_run(
    worker: None, test_run: Any, http_sink: HttpSink, hook: str
) -> None:
    # given a flow posting to Slack, then to Teams; Slack accepts, Teams refuses
    http_sink.reply(200, text="ok")
    http_sink.reply(404, text="Webhook not found")
    document = chain(
        node("start", "trigger.manual"),
        node("slack", "action.slack", connection=hook, text="Order {{ input.id }}"),
        node("teams", "action.teams", connection=hook, title="Order", text="{{ trigger.id }}"),
    )
    # when it runs
    run = test_run(document, {"id": 7})
    # then Slack got its message, Teams' refusal failed the run in words
    steps = steps_of(run)
    assert steps["slack"].output == {"status": 200}
    assert (
        run.status == RunStatus.FAILED and "Teams refused the message (404): Webhook not found" in run.error
    )
    assert [r.json()["text"] for r in http_sink.requests[:1]] == ["Order 7"]
    # and nothing the run kept holds the secret path
    kept = str([(s.input, s.output, s.error, s.attempt_log) for s in StepRun.objects.filter(run=run)])
    assert "s3cr3t" not in kept + run.error + str(run.output if hasattr(run, "output") else "")
