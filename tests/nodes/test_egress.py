"""The outbound network guard (CONTRACT §1): private, loopback and link-local addresses are refused
unless EGRESS_ALLOW names the host or a CIDR holding the address."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hub import egress


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
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254", "link-local"),
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
        ("http://[2002:a9fe:a9fe::]/", "2002:a9fe:a9fe::", "link-local"),  # 6to4 around 169.254.169.254
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
