"""The guard on webhook URLs: deliveries go only to public HTTPS endpoints.

`check_url` runs when a subscription is created or its URL changed, and again before every
delivery attempt. It returns the addresses the host resolves to, all of them public; the sender
connects to one of those, so a DNS answer that changes between the check and the connection
(DNS rebinding) cannot point a delivery at an internal address.

Refused, each with its reason (`InvalidWebhookUrl`, a 422 on `url`): anything but `https://`;
credentials in the URL; an IPv4 host written in a non-canonical form (`2130706433`,
`0x7f.0.0.1`, `0177.0.0.1`, `127.1`), which resolvers read as an address where a reader sees a
name; a host that does not resolve; and a host that is, or resolves to (any one of its
addresses), an address that is unspecified, loopback, the cloud metadata service's, link-local,
multicast, reserved, shared (carrier-grade NAT, 100.64.0.0/10), private, or otherwise not
globally reachable, including the IPv6 forms that embed such an IPv4 address (IPv4-mapped
`::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`, 6to4 `2002::/16`, NAT64 `64:ff9b::/96`).
The address properties are those of the standard library's `ipaddress` (IANA's special-purpose
registries).

`allow_local` (`WEBHOOK_ALLOW_LOCAL_URLS`, set only by the local stack) admits loopback hosts,
over `http://` too, so a receiver on 127.0.0.1 can be subscribed while developing.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import SplitResult, urlsplit

from dialtone.errors import InvalidWebhookUrl

type Address = ipaddress.IPv4Address | ipaddress.IPv6Address
type Resolver = Callable[..., list[tuple[Any, ...]]]

MAX_URL_LENGTH = 2048

# The metadata service of EC2 (and of other clouds at the same IPv4 address), and its IPv6 form
# on Nitro instances.
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")
NAT64_PREFIXES = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))

# A host whose last label is a number is an IPv4 address to URL parsers and resolvers (WHATWG
# URL's "ends in a number"), whatever its base or number of parts.
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$", re.IGNORECASE)


# What makes an address unfit, most specific first: (test, what the address is).
_REFUSED: tuple[tuple[Callable[[Address], bool], str], ...] = (
    (lambda a: a.is_unspecified, "the unspecified address"),
    (lambda a: a.is_loopback, "a loopback address"),
    (lambda a: a in METADATA_ADDRESSES, "the cloud metadata address"),
    (lambda a: a.is_link_local, "a link-local address"),
    (lambda a: a.is_multicast, "a multicast address"),
    (lambda a: a in SHARED_ADDRESS_SPACE, "a shared (carrier-grade NAT) address"),
    (lambda a: a.is_reserved, "a reserved address"),
    (lambda a: a.is_private, "a private address"),
    (lambda a: not a.is_global, "not a public address"),
)


def _embedded_ipv4(address: Address) -> tuple[ipaddress.IPv4Address, str] | None:
    """The IPv4 address an IPv6 address carries, and the form it is carried in."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped, "IPv4-mapped"
    if address.sixtofour is not None:
        return address.sixtofour, "6to4"
    if any(address in prefix for prefix in NAT64_PREFIXES):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF), "NAT64"
    # ::a.b.c.d (the deprecated IPv4-compatible form), but not :: and ::1 themselves.
    if int(address) >> 32 == 0 and int(address) > 1:
        return ipaddress.IPv4Address(int(address)), "IPv4-compatible"
    return None


def refusal(address: Address, allow_local: bool = False) -> str | None:
    """Why a delivery may not go to `address` (what kind of address it is), or None when it is
    public (or loopback, with `allow_local`)."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        inner, form = embedded
        reason = refusal(inner, allow_local)
        if reason is not None:
            return f"{reason} ({form} form of {inner})"
    if allow_local and address.is_loopback:
        return None
    return next((what for test, what in _REFUSED if test(address)), None)


def _parts(url: str, allow_local: bool) -> SplitResult:
    if len(url) > MAX_URL_LENGTH:
        raise InvalidWebhookUrl(f"The URL is longer than {MAX_URL_LENGTH} characters")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise InvalidWebhookUrl("The URL contains spaces or control characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (reading it validates it)
    except ValueError as error:
        raise InvalidWebhookUrl(f"The URL is malformed: {error}") from None
    # Plain http only for a loopback receiver of the local stack (checked once resolved).
    if parts.scheme != "https" and not (allow_local and parts.scheme == "http"):
        raise InvalidWebhookUrl("The URL must start with https://")
    if parts.username is not None or parts.password is not None:
        raise InvalidWebhookUrl("The URL must not contain credentials (user:password@)")
    if not parts.hostname:
        raise InvalidWebhookUrl("The URL has no host")
    return parts


def _literal(host: str) -> Address | None:
    """The address a host is written as, or None for a name; InvalidWebhookUrl for an IPv4
    address in any form but the canonical dotted quad."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_LABEL.match(host.rstrip(".").rsplit(".", 1)[-1]):
        raise InvalidWebhookUrl(
            f"The host {host} is an IPv4 address in a non-standard form (decimal, octal, hex "
            "or shortened): write it as four decimal numbers, like 203.0.113.7"
        )
    return None


def _check_name(host: str) -> str:
    """The host name as a resolver takes it (IDNA for a non-ASCII name)."""
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidWebhookUrl(f"The host {host} is not a valid host name") from None
    labels = ascii_host.rstrip(".").split(".")
    if len(ascii_host) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        raise InvalidWebhookUrl(f"The host {host} is not a valid host name")
    return ascii_host


def _resolve(host: str, port: int, resolver: Resolver) -> list[Address]:
    try:
        answers = resolver(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        answers = []
    # The address is the first item of each answer's sockaddr; an IPv6 one may carry a zone.
    addresses = [ipaddress.ip_address(str(a[4][0]).split("%", 1)[0]) for a in answers]
    if not addresses:
        raise InvalidWebhookUrl(f"The host {host} does not resolve")
    return list(dict.fromkeys(addresses))


def check_url(
    url: str, allow_local: bool = False, resolver: Resolver | None = None
) -> list[Address]:
    """The addresses a delivery to `url` may connect to: every address its host resolves to,
    all of them public. InvalidWebhookUrl, saying why, for a URL that may not be used (see the
    module's docstring). `resolver` is `socket.getaddrinfo` unless given."""
    parts = _parts(url, allow_local)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    literal = _literal(host)
    if literal is not None:
        addresses = [literal]
        shown = str(literal)
    else:
        addresses = _resolve(_check_name(host), port, resolver or socket.getaddrinfo)
        shown = host
    for address in addresses:
        reason = refusal(address, allow_local)
        if reason is not None:
            where = shown if literal is not None else f"{shown} resolves to {address}, which"
            raise InvalidWebhookUrl(f"The host {where} is {reason}")
    if parts.scheme != "https" and not all(a.is_loopback for a in addresses):
        raise InvalidWebhookUrl("The URL must start with https:// (http:// is for loopback only)")
    return addresses
