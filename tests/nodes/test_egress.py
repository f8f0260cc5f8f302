"""The outbound network guard (CONTRACT §1): private, loopback and link-local addresses are refused
unless EGRESS_ALLOW names the host or a CIDR holding the address."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest

from hub import egress
from nodes.builtin.action.http import HttpRequest
from nodes.policies import DlpRules, Policies, TeamRules
from nodes.registry import NodeError
from tests.support.sink import HttpSink


@pytest.fixture(autouse=True)
def _nothing_allowed(settings: Any) -> None:
    settings.EGRESS_ALLOW = []


@pytest.mark.parametrize(
    ("url", "address", "kind"),
    [
        ("http://127.0.0.1/", "127.0.0.1", "loopback"),
        ("http://127.8.9.10:8080/x", "127.8.9.10", "loopback"),
        ("http://localhost/", "127.0.0.1", "loopback"),
        ("http://2130706433/", "127.0.0.1", "loopback"),  # 127.0.0.1 written as one number
        ("http://10.1.2.3/", "10.1.2.3", "private"),
        ("http://172.16.0.1/", "172.16.0.1", "private"),
        ("http://172.31.255.254/", "172.31.255.254", "private"),
        ("http://192.168.1.10/", "192.168.1.10", "private"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254", "cloud metadata"),
        ("http://169.254.10.20/", "169.254.10.20", "link-local"),
        ("http://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254", "cloud metadata"),
        ("http://100.100.100.200/", "100.100.100.200", "cloud metadata"),
        ("http://198.18.0.1/", "198.18.0.1", "private"),  # benchmarking range
        ("http://0.0.0.0/", "0.0.0.0", "unspecified"),
        ("http://224.0.0.1/", "224.0.0.1", "multicast"),
        ("http://100.64.0.1/", "100.64.0.1", "non-public"),  # carrier-grade NAT
        ("http://240.0.0.1/", "240.0.0.1", "private"),
        ("http://[::1]/", "::1", "loopback"),
        ("http://[fc00::1]/", "fc00::1", "private"),
        ("http://[fd12:3456::1]/", "fd12:3456::1", "private"),
        ("http://[fe80::1]/", "fe80::1", "link-local"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1", "loopback"),
        ("http://[::ffff:10.0.0.1]/", "::ffff:10.0.0.1", "private"),
        ("http://[2002:a9fe:a9fe::]/", "2002:a9fe:a9fe::", "cloud metadata"),  # 6to4 around 169.254.169.254
        ("http://[2002:7f00:1::]/", "2002:7f00:1::", "loopback"),  # 6to4 around 127.0.0.1
        ("http://[64:ff9b::a00:1]/", "64:ff9b::a00:1", "private"),  # NAT64 around 10.0.0.1
        ("http://[64:ff9b::a9fe:a9fe]/", "64:ff9b::a9fe:a9fe", "cloud metadata"),  # NAT64 around the metadata
        ("http://[::ffff:169.254.169.254]/", "::ffff:169.254.169.254", "cloud metadata"),
        ("http://[ff02::1]/", "ff02::1", "multicast"),
        ("http://255.255.255.255/", "255.255.255.255", "private"),  # broadcast
        ("https://[::]/", "::", "unspecified"),
    ],
)
def test_non_public_addresses_are_refused(url: str, address: str, kind: str) -> None:
    # given an empty EGRESS_ALLOW
    # when a URL whose host is (or resolves to) a non-public address is checked
    with pytest.raises(egress.EgressRefused) as refused:
        egress.check_url(url)
    # then it is refused for good, naming the address, why, and the setting that would allow it
    assert not refused.value.retryable
    assert address in refused.value.message
    assert f"({kind})" in refused.value.message
    assert "EGRESS_ALLOW" in refused.value.message


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.215.14/",
        "https://8.8.8.8:8443/dns?x=1",
        "http://[2606:4700:4700::1111]/",
    ],
)
def test_public_addresses_pass(url: str) -> None:
    egress.check_url(url)  # no exception


@pytest.mark.parametrize("url", ["ftp://93.184.215.14/", "file:///etc/passwd", "gopher://8.8.8.8/"])
def test_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(egress.EgressRefused, match="only http and https"):
        egress.check_url(url)


def test_an_allowed_host_name_passes_whatever_it_resolves_to(settings: Any) -> None:
    # given the host name localhost in EGRESS_ALLOW
    settings.EGRESS_ALLOW = ["LocalHost"]
    # when a URL to localhost is checked
    egress.check_url("http://localhost:8000/hook")
    # then it passes, while the same address by number is still refused
    with pytest.raises(egress.EgressRefused, match=r"127\.0\.0\.1"):
        egress.check_url("http://127.0.0.1:8000/hook")


def test_an_allowed_cidr_passes_its_addresses_only(settings: Any) -> None:
    # given 10.0.0.0/8 in EGRESS_ALLOW
    settings.EGRESS_ALLOW = ["10.0.0.0/8"]
    # when addresses inside and outside are checked
    egress.check_url("http://10.20.30.40/api")
    # then those inside pass and others are still refused
    with pytest.raises(egress.EgressRefused, match=r"192\.168\.0\.1"):
        egress.check_url("http://192.168.0.1/")


def test_an_allowed_single_address_also_covers_its_ipv4_mapped_form(settings: Any) -> None:
    # given 127.0.0.1 (a one-address CIDR) in EGRESS_ALLOW
    settings.EGRESS_ALLOW = ["127.0.0.1"]
    # when the address is reached by name, by number, and IPv4-mapped in IPv6
    for url in ("http://localhost/", "http://127.0.0.1/", "http://[::ffff:127.0.0.1]/"):
        egress.check_url(url)
    # then all pass, but the rest of 127/8 does not
    with pytest.raises(egress.EgressRefused):
        egress.check_url("http://127.0.0.2/")


def test_an_allowed_ipv6_cidr(settings: Any) -> None:
    settings.EGRESS_ALLOW = ["fd00::/8", "[::1]"]
    egress.check_url("http://[fd00::5]/")
    egress.check_url("http://[::1]/")
    with pytest.raises(egress.EgressRefused):
        egress.check_url("http://[fe80::1]/")


def test_an_unresolvable_host_is_a_retryable_failure() -> None:
    with pytest.raises(egress.EgressRefused, match="Could not resolve") as failed:
        egress.check_url("http://no-such-host.invalid/")
    assert failed.value.retryable


def test_the_transport_itself_refuses_to_connect_to_a_refused_address() -> None:
    # given an httpx client on the guarded transport, used without check_url first
    with httpx.Client(transport=egress.transport()) as client:
        # when it is asked to connect to a loopback address
        # then the connection is refused by the guard, before any byte is sent
        with pytest.raises(egress.EgressRefused, match="EGRESS_ALLOW"):
            client.get("http://127.0.0.1:9/")


# --- DNS answers pointing inside, and answers that change ------------------------------------------

PUBLIC = "93.184.215.14"


def _resolver(answers: list[str]) -> Any:
    """A stand-in for `socket.getaddrinfo` (the C library's, not our code) giving `answers` in turn,
    the last one for good."""
    real = socket.getaddrinfo
    calls: list[str] = []

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "api.partner.example":
            return real(host, port, *args, **kwargs)
        address = answers[min(len(calls), len(answers) - 1)]
        calls.append(address)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr)]

    fake.calls = calls  # type: ignore[attr-defined]
    return fake


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.0.0.7", "private"),
        ("127.0.0.1", "loopback"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("::ffff:127.0.0.1", "loopback"),
        ("fe80::1", "link-local"),
    ],
)
def test_a_public_looking_name_that_resolves_inside_is_refused(
    monkeypatch: pytest.MonkeyPatch, address: str, kind: str
) -> None:
    # given a public-looking name whose DNS answer is an internal address
    monkeypatch.setattr(socket, "getaddrinfo", _resolver([address]))
    # when it is checked
    with pytest.raises(egress.EgressRefused) as refused:
        egress.check_url("https://api.partner.example/v1/orders")
    # then it is refused, naming the name, the address it resolved to and why
    message = refused.value.message
    assert "api.partner.example" in message and address in message and f"({kind})" in message


def test_an_answer_that_changes_between_the_check_and_the_connect_is_refused_at_connect(
    monkeypatch: pytest.MonkeyPatch, make_context: Any
) -> None:
    # given a name that first resolves to a public address, then (DNS rebinding) to a private one
    resolver = _resolver([PUBLIC, "10.0.0.1"])
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    node = HttpRequest()
    # when action.http calls it
    with pytest.raises(NodeError) as failed:
        node.execute(make_context({}), node.parse_config({"url": "http://api.partner.example/"}), {})
    # then the check passed on the first answer, and the connection was refused on the second
    assert resolver.calls == [PUBLIC, "10.0.0.1"]
    assert "10.0.0.1" in failed.value.message and "EGRESS_ALLOW" in failed.value.message


def test_the_connection_goes_to_the_vetted_address(
    monkeypatch: pytest.MonkeyPatch, settings: Any, http_sink: HttpSink, make_context: Any
) -> None:
    # given a name resolving to the sink's loopback address, which EGRESS_ALLOW allows
    settings.EGRESS_ALLOW = ["127.0.0.1"]
    monkeypatch.setattr(socket, "getaddrinfo", _resolver(["127.0.0.1"]))
    node = HttpRequest()
    url = f"http://api.partner.example:{http_sink.port}/ping"
    # when it is called, then the request reached the address that was checked, under the name asked for
    output = node.execute(make_context({}), node.parse_config({"url": url}), {})
    assert output["status"] == 200
    assert http_sink.requests[0].headers["host"] == f"api.partner.example:{http_sink.port}"


# --- redirects into the private range ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "address"),
    [
        ("http://10.0.0.1/", "10.0.0.1"),
        ("http://[::ffff:127.0.0.1]:{port}/", "::ffff:127.0.0.1"),
        ("http://169.254.169.254/latest/meta-data/iam/", "169.254.169.254"),
        ("http://[fd00:ec2::254]/", "fd00:ec2::254"),
    ],
)
def test_a_redirect_into_a_refused_address_fails_naming_it(
    settings: Any, http_sink: HttpSink, make_context: Any, target: str, address: str
) -> None:
    # given the sink allowed by its host name only (so neither 10/8 nor loopback by number is allowed)
    settings.EGRESS_ALLOW = ["localhost"]
    http_sink.reply(302, headers={"Location": target.format(port=http_sink.port)})
    node = HttpRequest()
    # when action.http calls the sink, which redirects inside
    with pytest.raises(NodeError) as failed:
        node.execute(make_context({}), node.parse_config({"url": f"http://localhost:{http_sink.port}/a"}), {})
    # then only the first request was made, and the error names the address and EGRESS_ALLOW
    assert len(http_sink.requests) == 1
    assert address in failed.value.message and "EGRESS_ALLOW" in failed.value.message
    assert "redirect" in failed.value.message


def test_redirects_are_followed_at_most_five_times(
    settings: Any, http_sink: HttpSink, make_context: Any
) -> None:
    settings.EGRESS_ALLOW = ["127.0.0.1"]
    for hop in range(7):
        http_sink.reply(307, headers={"Location": f"/hop{hop + 1}"})
    node = HttpRequest()
    with pytest.raises(NodeError, match="more than 5 times"):
        node.execute(make_context({}), node.parse_config({"url": http_sink.url("/hop0")}), {})
    assert len(http_sink.requests) == 6  # the first request and five redirects


def test_a_303_is_fetched_with_get_and_a_307_keeps_the_method_and_body(
    settings: Any, http_sink: HttpSink, make_context: Any
) -> None:
    settings.EGRESS_ALLOW = ["127.0.0.1"]
    http_sink.reply(307, headers={"Location": "/again"})
    http_sink.reply(303, headers={"Location": "/result"})
    http_sink.reply(200, json_body={"done": True})
    node = HttpRequest()
    config = node.parse_config({"method": "POST", "url": http_sink.url("/start"), "json": {"n": 1}})
    output = node.execute(make_context({}), config, {})
    assert output["body"] == {"done": True}
    sent = [(r.method, r.path, r.body) for r in http_sink.requests]
    assert sent == [("POST", "/start", b'{"n":1}'), ("POST", "/again", b'{"n":1}'), ("GET", "/result", b"")]


def test_a_redirect_to_a_host_the_team_may_not_call_is_refused(
    settings: Any, http_sink: HttpSink, make_context: Any
) -> None:
    # given a team allowed to call 127.0.0.1 only, and a server that redirects to another host
    settings.EGRESS_ALLOW = ["127.0.0.1", "localhost"]
    rules = Policies(team=TeamRules("Ops", allowed_hosts=("127.0.0.1",)), dlp=DlpRules())
    ctx = make_context({})
    ctx.host_guard = rules.host_guard({"id": "step", "type": "action.http", "config": {}})
    http_sink.reply(302, headers={"Location": f"http://localhost:{http_sink.port}/elsewhere"})
    node = HttpRequest()
    # when the step follows it, then the hop to localhost is refused by the team's policy
    with pytest.raises(NodeError, match="team Ops may not call"):
        node.execute(ctx, node.parse_config({"url": http_sink.url("/a")}), {})
    assert len(http_sink.requests) == 1


def test_metadata_addresses_stay_refused_under_a_wide_allowance(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given EGRESS_ALLOW opening all of link-local and a host name that resolves to the metadata service
    settings.EGRESS_ALLOW = ["169.254.0.0/16", "api.partner.example"]
    monkeypatch.setattr(socket, "getaddrinfo", _resolver(["169.254.169.254"]))
    # then the metadata address is still refused, by number and by that name, saying what it is
    for url in ("http://169.254.169.254/latest/meta-data/", "http://api.partner.example/"):
        with pytest.raises(egress.EgressRefused, match="cloud metadata service") as refused:
            egress.check_url(url)
        assert "EGRESS_ALLOW" in refused.value.message
    egress.check_url("http://169.254.10.20/")  # the rest of link-local is allowed, as asked
    # and only the address itself opens it
    settings.EGRESS_ALLOW = ["169.254.169.254"]
    egress.check_url("http://169.254.169.254/latest/meta-data/")
