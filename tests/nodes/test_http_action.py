"""`action.http` against a real local HTTP server: what is sent, what is kept, and how failures read."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest

from nodes.builtin.action.http import HttpRequest
from nodes.context import NodeContext
from nodes.outbound import MAX_BODY_BYTES
from nodes.registry import NodeError
from tests.nodes.conftest import CORRELATION_ID, RUN_ID
from tests.support.sink import HttpSink

MakeContext = Callable[..., NodeContext]
ORDER = {"id": 42, "total": 120.5, "customer": {"email": "ann@example.com"}}


@pytest.fixture(autouse=True)
def _sink_allowed(settings: Any) -> None:
    settings.EGRESS_ALLOW = ["127.0.0.1"]


def run(make_context: MakeContext, config: dict[str, Any], input: Any = ORDER) -> dict[str, Any]:
    node = HttpRequest()
    return node.execute(make_context(input, node_id="crm"), node.parse_config(config), input)


def test_get_fills_in_templates_and_sends_the_standard_headers(
    make_context: MakeContext, http_sink: HttpSink
) -> None:
    # given a GET whose URL, query and headers read the run's data
    http_sink.reply(json_body={"found": True})
    config = {
        "url": http_sink.url("/orders/{{ input.id }}"),
        "query": {"email": "{{ input.customer.email }}", "tag": ["a", "b"], "missing": "{{ input.nope }}"},
        "headers": {"X-Total": {"var": "input.total"}, "Accept": "application/json"},
    }
    # when the node runs
    output = run(make_context, config)
    # then the request carried them, with the step's idempotency key and the run's correlation id
    (request,) = http_sink.requests
    assert request.method == "GET"
    assert request.path.startswith("/orders/42?")
    assert request.query == {"email": ["ann@example.com"], "tag": ["a", "b"]}
    assert request.headers["x-total"] == "120.5"
    assert request.headers["accept"] == "application/json"
    assert request.headers["idempotency-key"] == f"{RUN_ID}:crm"
    assert request.headers["x-correlation-id"] == CORRELATION_ID
    # and the JSON reply became the output
    assert output["status"] == 200
    assert output["body"] == {"found": True}
    assert output["headers"]["content-type"] == "application/json"


def test_post_json_body_is_evaluated_and_sent_as_json(make_context: MakeContext, http_sink: HttpSink) -> None:
    # given a POST whose json holds a rule, a template and a literal
    config = {
        "method": "POST",
        "url": http_sink.url("/leads"),
        "json": {
            "email": "{{ input.customer.email }}",
            "gross": {"*": [{"var": "input.total"}, 2]},
            "tags": ["web", {"literal": {"var": "kept"}}],
        },
    }
    # when the node runs
    run(make_context, config)
    # then the server received that JSON, evaluated
    (request,) = http_sink.requests
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {"email": "ann@example.com", "gross": 241, "tags": ["web", {"var": "kept"}]}


def test_text_body_is_a_template_and_content_type_can_be_set(
    make_context: MakeContext, http_sink: HttpSink
) -> None:
    # given a PUT with a text body and its own Content-Type
    config = {
        "method": "PUT",
        "url": http_sink.url("/note"),
        "body": "order={{ input.id }}",
        "headers": {"content-type": "application/x-www-form-urlencoded"},
    }
    # when the node runs
    run(make_context, config)
    # then the text was filled in, and the Content-Type given replaced the default
    (request,) = http_sink.requests
    assert request.body == b"order=42"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"


def test_text_reply_is_kept_as_text(make_context: MakeContext, http_sink: HttpSink) -> None:
    http_sink.reply(text="plain answer")
    assert run(make_context, {"url": http_sink.url()})["body"] == "plain answer"


def test_json_labelled_reply_that_is_not_json_is_kept_as_text(
    make_context: MakeContext, http_sink: HttpSink
) -> None:
    http_sink.reply(text="{broken", headers={"Content-Type": "application/problem+json"})
    assert run(make_context, {"url": http_sink.url()})["body"] == "{broken"


def test_a_large_reply_is_cut_at_one_mebibyte(make_context: MakeContext, http_sink: HttpSink) -> None:
    # given a reply bigger than the step may keep
    http_sink.reply(text="x" * (MAX_BODY_BYTES + 1000))
    # when the node runs
    output = run(make_context, {"url": http_sink.url()})
    # then the stored body is cut to the limit
    assert len(output["body"]) == MAX_BODY_BYTES


def test_head_has_no_body(make_context: MakeContext, http_sink: HttpSink) -> None:
    http_sink.reply(text="ignored")
    output = run(make_context, {"method": "HEAD", "url": http_sink.url()})
    assert (output["status"], output["body"]) == (200, "")
    assert http_sink.requests[0].method == "HEAD"


def test_a_redirect_is_followed_and_each_hop_checked_again(
    make_context: MakeContext, http_sink: HttpSink
) -> None:
    # given a server that redirects once to itself, then to the cloud metadata address
    http_sink.reply(302, headers={"Location": "/new"})
    http_sink.reply(301, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    # when the step follows them
    with pytest.raises(NodeError) as failed:
        run(make_context, {"url": http_sink.url("/old")})
    # then the first redirect was followed, and the one into the metadata service refused, saying why
    assert [r.path for r in http_sink.requests] == ["/old", "/new"]
    assert "169.254.169.254" in failed.value.message and "cloud metadata" in failed.value.message
    assert "EGRESS_ALLOW" in failed.value.message and not failed.value.retryable


def test_a_client_error_fails_for_good_with_the_reply(make_context: MakeContext, http_sink: HttpSink) -> None:
    # given a server that answers 422 with a problem document
    http_sink.reply(422, json_body={"detail": "email is missing"})
    # when the node runs
    with pytest.raises(NodeError) as failed:
        run(make_context, {"method": "POST", "url": http_sink.url("/leads?api_key=secret"), "json": {}})
    # then the failure is not retried, says what happened without the query, and keeps the reply
    error = failed.value
    assert not error.retryable
    assert error.message.startswith(f"POST {http_sink.url('/leads')} answered 422 Unprocessable Entity: ")
    assert "email is missing" in error.message
    assert "secret" not in error.message
    assert error.output["status"] == 422
    assert error.output["body"] == {"detail": "email is missing"}


@pytest.mark.parametrize("status", [408, 425, 429, 500, 502, 503, 504])
def test_temporary_failures_are_retryable(
    make_context: MakeContext, http_sink: HttpSink, status: int
) -> None:
    http_sink.reply(status, text="busy")
    with pytest.raises(NodeError) as failed:
        run(make_context, {"url": http_sink.url()})
    assert failed.value.retryable
    assert failed.value.output["status"] == status


@pytest.mark.parametrize(
    ("retry_after", "seconds"), [("120", 120.0), ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0), ("soon", None)]
)
def test_retry_after_is_passed_on(
    make_context: MakeContext, http_sink: HttpSink, retry_after: str, seconds: float | None
) -> None:
    # given a server asking to slow down
    http_sink.reply(429, text="slow down", headers={"Retry-After": retry_after})
    # when the node runs
    with pytest.raises(NodeError) as failed:
        run(make_context, {"url": http_sink.url()})
    # then the failure says when to try again (an HTTP date in the past means now; nonsense means nothing)
    assert failed.value.retry_after == seconds


def test_a_timeout_is_retryable(make_context: MakeContext, http_sink: HttpSink) -> None:
    http_sink.reply(delay=2)
    with pytest.raises(NodeError, match=r"timed out after 0\.2 s") as failed:
        run(make_context, {"url": http_sink.url(), "timeout": 0.2})
    assert failed.value.retryable


def test_a_refused_connection_is_retryable(make_context: MakeContext) -> None:
    # given a local port nobody listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # when the node calls it
    with pytest.raises(NodeError, match="failed") as failed:
        run(make_context, {"url": f"http://127.0.0.1:{port}/"})
    # then trying later may help
    assert failed.value.retryable


def test_a_private_address_is_refused_without_sending(
    make_context: MakeContext, http_sink: HttpSink, settings: Any
) -> None:
    # given nothing in EGRESS_ALLOW
    settings.EGRESS_ALLOW = []
    # when the node calls the local sink
    with pytest.raises(NodeError, match="EGRESS_ALLOW") as failed:
        run(make_context, {"url": http_sink.url()})
    # then nothing was sent and the failure is final
    assert not failed.value.retryable
    assert http_sink.requests == []


def test_a_url_that_evaluates_to_no_text_fails(make_context: MakeContext) -> None:
    with pytest.raises(NodeError, match="not text"):
        run(make_context, {"url": "{{ input.total }}"})


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({}, "url"),  # url is required
        ({"url": "https://x.example", "method": "TRACE"}, "method"),
        ({"url": "https://x.example", "timeout": 301}, "timeout"),
        ({"url": "https://x.example", "timeout": 0}, "timeout"),
        ({"url": "https://x.example", "headers": ["X-A"]}, "headers"),
        ({"url": "https://x.example", "connection": 7}, "connection"),  # a connection's id is text
        ({"url": "https://x.example", "json": {"a": 1}, "body": "a=1"}, "body"),
    ],
)
def test_invalid_config_is_refused_naming_the_field(config: dict[str, Any], field: str | None) -> None:
    problems = HttpRequest().validate_config(config)
    assert [path for path, _ in problems] == [field]


def test_json_and_body_together_are_refused_by_the_model_too() -> None:
    with pytest.raises(ValueError, match="either json or body"):
        HttpRequest().parse_config({"url": "https://x.example", "json": {"a": 1}, "body": ""})


def test_defaults() -> None:
    config = HttpRequest().parse_config({"url": "https://x.example"})
    assert (config.method, config.headers, config.query, config.timeout) == ("GET", {}, {}, None)
