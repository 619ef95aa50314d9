"""The webhook URL guard: each URL a delivery may not go to is refused with its reason, and a
host name is judged by every address it resolves to (the resolver is faked: no network)."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

from dialtone.errors import InvalidWebhookUrl
from dialtone.webhooks import urls
from dialtone.webhooks.urls import check_url

PUBLIC = "93.184.215.14"


class FakeDns:
    """getaddrinfo with fixed answers by host name; records what it was asked."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        self.asked.append((host, port))
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in self.answers[host]
        ]


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    fake = FakeDns({"hooks.example.com": [PUBLIC, "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]})
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


def refusal_of(url: str, allow_local: bool = False) -> str:
    with pytest.raises(InvalidWebhookUrl) as raised:
        check_url(url, allow_local)
    error = raised.value
    assert error.location == ("body", "url")
    assert error.kind == "webhook_url"
    return error.reason


def test_a_public_https_url_gives_every_address_of_its_host(dns: FakeDns) -> None:
    addresses = check_url("https://hooks.example.com/dialtone?x=1")

    assert addresses == [
        ipaddress.ip_address(PUBLIC),
        ipaddress.ip_address("2606:2800:21f:cb07:6820:80da:af6b:8b2c"),
    ]
    assert dns.asked == [("hooks.example.com", 443)]
    assert check_url("https://hooks.example.com:8443/") == addresses
    assert dns.asked[-1] == ("hooks.example.com", 8443)


def test_a_public_address_may_be_the_host(dns: FakeDns) -> None:
    assert check_url(f"https://{PUBLIC}/hook") == [ipaddress.ip_address(PUBLIC)]
    assert check_url("https://[2606:4700::6810:84e5]/") == [
        ipaddress.ip_address("2606:4700::6810:84e5")
    ]
    assert dns.asked == []  # an address is not looked up


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://127.0.0.1/hook", "The host 127.0.0.1 is a loopback address"),
        ("https://127.8.9.10/", "The host 127.8.9.10 is a loopback address"),
        ("https://[::1]/", "The host ::1 is a loopback address"),
        ("https://10.1.2.3/", "The host 10.1.2.3 is a private address"),
        ("https://172.16.0.1/", "The host 172.16.0.1 is a private address"),
        ("https://192.168.1.20/", "The host 192.168.1.20 is a private address"),
        ("https://[fd12:3456::1]/", "The host fd12:3456::1 is a private address"),
        ("https://169.254.169.254/latest/meta-data/", "is the cloud metadata address"),
        ("https://[fd00:ec2::254]/", "The host fd00:ec2::254 is the cloud metadata address"),
        ("https://169.254.10.1/", "The host 169.254.10.1 is a link-local address"),
        ("https://[fe80::1]/", "The host fe80::1 is a link-local address"),
        ("https://0.0.0.0/", "The host 0.0.0.0 is the unspecified address"),
        ("https://[::]/", "The host :: is the unspecified address"),
        ("https://224.0.0.251/", "The host 224.0.0.251 is a multicast address"),
        ("https://[ff02::1]/", "The host ff02::1 is a multicast address"),
        ("https://240.0.0.1/", "The host 240.0.0.1 is a reserved address"),
        ("https://255.255.255.255/", "The host 255.255.255.255 is a reserved address"),
        ("https://100.64.0.1/", "The host 100.64.0.1 is a shared (carrier-grade NAT) address"),
        ("https://100.127.255.254/", "is a shared (carrier-grade NAT) address"),
        ("https://192.0.2.10/", "The host 192.0.2.10 is a private address"),
        ("https://198.18.0.1/", "The host 198.18.0.1 is a private address"),
    ],
)
def test_a_non_public_address_is_refused(dns: FakeDns, url: str, reason: str) -> None:
    assert reason in refusal_of(url)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (
            "https://[::ffff:127.0.0.1]/",
            "is a loopback address (IPv4-mapped form of 127.0.0.1)",
        ),
        (
            "https://[::ffff:169.254.169.254]/",
            "is the cloud metadata address (IPv4-mapped form of 169.254.169.254)",
        ),
        ("https://[::ffff:a00:1]/", "is a private address (IPv4-mapped form of 10.0.0.1)"),
        ("https://[::127.0.0.1]/", "is a loopback address (IPv4-compatible form of 127.0.0.1)"),
        ("https://[::a9fe:a9fe]/", "metadata address (IPv4-compatible form of 169.254.169.254)"),
        ("https://[2002:a00:1::1]/", "is a private address (6to4 form of 10.0.0.1)"),
        ("https://[2002:7f00:1::]/", "is a loopback address (6to4 form of 127.0.0.1)"),
        ("https://[2002:a9fe:a9fe::]/", "metadata address (6to4 form of 169.254.169.254)"),
        ("https://[64:ff9b::c0a8:101]/", "is a private address (NAT64 form of 192.168.1.1)"),
        ("https://[64:ff9b::7f00:1]/", "is a loopback address (NAT64 form of 127.0.0.1)"),
        ("https://[64:ff9b::6440:1]/", "shared (carrier-grade NAT) address (NAT64 form of"),
    ],
)
def test_ipv6_forms_of_a_non_public_ipv4_address_are_refused(
    dns: FakeDns, url: str, reason: str
) -> None:
    assert reason in refusal_of(url)


@pytest.mark.parametrize(
    "host",
    [
        "2130706433",
        "0x7f000001",
        "0x7f.0.0.1",
        "0177.0.0.1",
        "127.1",
        "127.0.1",
        "017700000001",
        "1.2.3.4.",
    ],
)
def test_an_ipv4_address_in_a_non_standard_form_is_refused(dns: FakeDns, host: str) -> None:
    reason = refusal_of(f"https://{host}/hook")

    assert "is an IPv4 address in a non-standard form (decimal, octal, hex or shortened)" in reason
    assert dns.asked == []  # never handed to a resolver, which would read it as 127.0.0.1


def test_the_decimal_form_is_refused_over_http_too(dns: FakeDns) -> None:
    assert refusal_of("http://2130706433/") == "The URL must start with https://"
    assert "non-standard form" in refusal_of("http://2130706433/", allow_local=True)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.example.com/", "The URL must start with https://"),
        ("ftp://hooks.example.com/", "The URL must start with https://"),
        ("hooks.example.com/hook", "The URL must start with https://"),
        ("javascript:alert(1)", "The URL must start with https://"),
        ("https://user:pass@hooks.example.com/", "must not contain credentials (user:password@)"),
        ("https://token@hooks.example.com/", "must not contain credentials (user:password@)"),
        ("https:///path-only", "The URL has no host"),
        ("https://hooks.example.com:99999/", "The URL is malformed"),
        ("https://hooks.example.com/a b", "The URL contains spaces or control characters"),
        ("https://hooks.example.com/\r\nX: y", "The URL contains spaces or control characters"),
        ("https://bad..example.com/", "The host bad..example.com is not a valid host name"),
        ("https://-x.example.com/", "The host -x.example.com is not a valid host name"),
        ("https://[::1/", "The URL is malformed"),
        ("https://nowhere.invalid/", "The host nowhere.invalid does not resolve"),
        ("https://hooks.example.com/" + "a" * 2048, "The URL is longer than 2048 characters"),
    ],
)
def test_a_malformed_url_is_refused_with_its_reason(dns: FakeDns, url: str, reason: str) -> None:
    assert reason in refusal_of(url)


@pytest.mark.parametrize(
    ("addresses", "reason"),
    [
        (["127.0.0.1"], "resolves to 127.0.0.1, which is a loopback address"),
        ([PUBLIC, "10.0.0.7"], "resolves to 10.0.0.7, which is a private address"),
        (["169.254.169.254"], "resolves to 169.254.169.254, which is the cloud metadata address"),
        ([PUBLIC, "::1"], "resolves to ::1, which is a loopback address"),
        (
            ["::ffff:192.168.0.1"],
            "resolves to ::ffff:192.168.0.1, which is a private address (IPv4-mapped form of "
            "192.168.0.1)",
        ),
        (["fe80::1%eth0"], "resolves to fe80::1, which is a link-local address"),
        (
            ["100.100.100.100"],
            "resolves to 100.100.100.100, which is a shared (carrier-grade NAT) address",
        ),
    ],
)
def test_a_name_resolving_to_any_non_public_address_is_refused(
    monkeypatch: pytest.MonkeyPatch, addresses: list[str], reason: str
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", FakeDns({"internal.example.com": addresses}))

    assert refusal_of("https://internal.example.com/hook") == (
        f"The host internal.example.com {reason}"
    )


def test_a_resolver_that_answers_nothing_means_no_such_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", FakeDns({"empty.example.com": []}))

    assert refusal_of("https://empty.example.com/") == "The host empty.example.com does not resolve"


def test_an_international_name_is_looked_up_in_its_ascii_form(dns: FakeDns) -> None:
    dns.answers["xn--bcher-kva.example"] = [PUBLIC]

    assert check_url("https://bücher.example/") == [ipaddress.ip_address(PUBLIC)]
    assert dns.asked == [("xn--bcher-kva.example", 443)]


def test_local_mode_admits_loopback_receivers_over_http(dns: FakeDns) -> None:
    dns.answers["localhost"] = ["127.0.0.1", "::1"]

    assert check_url("http://127.0.0.1:8123/hook", allow_local=True) == [
        ipaddress.ip_address("127.0.0.1")
    ]
    assert check_url("http://localhost:8123/", allow_local=True) == [
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    ]
    assert check_url("https://[::1]:9000/", allow_local=True) == [ipaddress.ip_address("::1")]
    assert check_url("https://hooks.example.com/", allow_local=True)


def test_local_mode_admits_nothing_else(dns: FakeDns) -> None:
    # Plain http to a public host, and every other non-public address, stay refused
    assert refusal_of("http://hooks.example.com/", allow_local=True) == (
        "The URL must start with https:// (http:// is for loopback only)"
    )
    assert "private address" in refusal_of("http://10.0.0.1/", allow_local=True)
    assert "metadata address" in refusal_of("http://169.254.169.254/", allow_local=True)
    assert "unspecified" in refusal_of("http://0.0.0.0:8123/", allow_local=True)
    # And without it, loopback is refused
    assert refusal_of("http://127.0.0.1:8123/") == "The URL must start with https://"
    assert "loopback" in refusal_of("https://127.0.0.1:8123/")


def test_refusal_names_the_kind_of_address() -> None:
    assert urls.refusal(ipaddress.ip_address("8.8.8.8")) is None
    assert urls.refusal(ipaddress.ip_address("2001:4860:4860::8888")) is None
    assert urls.refusal(ipaddress.ip_address("127.0.0.1"), allow_local=True) is None
    assert urls.refusal(ipaddress.ip_address("::ffff:127.0.0.1"), allow_local=True) is None
    assert urls.refusal(ipaddress.ip_address("10.0.0.1"), allow_local=True) == "a private address"
