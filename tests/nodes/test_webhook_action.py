"""`action.webhook` against a real local HTTP server: Standard Webhooks headers, JSON payload, failures."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from nodes.builtin.action.webhook import SendWebhook
from nodes.context import NodeContext
from nodes.registry import NodeError
from tests.nodes.conftest import RUN_ID
from tests.support.sink import HttpSink

MakeContext = Callable[..., NodeContext]
EVENT = {"type": "order.paid", "order": {"id": 42, "total": 120}}


@pytest.fixture(autouse=True)
def _sink_allowed(settings: Any) -> None:
    settings.EGRESS_ALLOW = ["127.0.0.1"]


def deliver(make_context: MakeContext, config: dict[str, Any]) -> dict[str, Any]:
    node = SendWebhook()
    return node.execute(make_context(EVENT, node_id="notify"), node.parse_config(config), EVENT)


def test_posts_its_input_with_standard_webhooks_headers(
    make_context: MakeContext, http_sink: HttpSink
) -> None:
    # given a webhook with the default payload (the step's input) and a receiver that accepts it
    http_sink.reply(204)
    # when the node runs
    output = deliver(make_context, {"url": http_sink.url("/hooks/{{ input.order.id }}")})
    # then the receiver got the input as JSON, with the Standard Webhooks headers
    (request,) = http_sink.requests
    assert (request.method, request.path) == ("POST", "/hooks/42")
    assert request.json() == EVENT
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"] == request.headers["idempotency-key"] == f"{RUN_ID}:notify"
    assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 10
    # and the output is the status alone
    assert output == {"status": 204}


def test_payload_is_evaluated(make_context: MakeContext, http_sink: HttpSink) -> None:
    deliver(
        make_context,
        {
            "url": http_sink.url(),
            "payload": {"event": "{{ input.type }}", "amount": {"var": "input.order.total"}, "fixed": True},
        },
    )
    assert http_sink.requests[0].json() == {"event": "order.paid", "amount": 120, "fixed": True}


def test_a_server_error_is_retryable_and_keeps_the_reply(
    make_context: MakeContext, http_sink: HttpSink
) -> None:
    http_sink.reply(503, text="down for maintenance", headers={"Retry-After": "30"})
    with pytest.raises(NodeError, match="answered 503 Service Unavailable: down for maintenance") as failed:
        deliver(make_context, {"url": http_sink.url()})
    assert failed.value.retryable
    assert failed.value.retry_after == 30
    assert failed.value.output["body"] == "down for maintenance"


def test_a_redirect_is_not_a_delivery(make_context: MakeContext, http_sink: HttpSink) -> None:
    # given a receiver that has moved
    http_sink.reply(301, headers={"Location": "https://elsewhere.example/hook"})
    # when the node delivers
    with pytest.raises(NodeError, match="redirects are not followed") as failed:
        deliver(make_context, {"url": http_sink.url()})
    # then the delivery failed for good: trying again would be redirected again
    assert not failed.value.retryable
    assert len(http_sink.requests) == 1


def test_a_private_address_is_refused(make_context: MakeContext, http_sink: HttpSink, settings: Any) -> None:
    settings.EGRESS_ALLOW = []
    with pytest.raises(NodeError, match="EGRESS_ALLOW"):
        deliver(make_context, {"url": http_sink.url()})
    assert http_sink.requests == []


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({}, "url"),
        ({"url": ""}, "url"),
        ({"url": "https://x.example", "secret": "s"}, None),
    ],
)
def test_invalid_config_is_refused(config: dict[str, Any], field: str | None) -> None:
    assert [path for path, _ in SendWebhook().validate_config(config)] == [field]
