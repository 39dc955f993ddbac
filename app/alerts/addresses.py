"""Which IP addresses a webhook may reach: only globally routable ones, unless allowed.

Explicit tables rather than `ipaddress`'s `is_global`, whose answers differ between
Python patch releases (3.11 calls 6to4, NAT64 and IPv4-mapped addresses global).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _table(*rows: tuple[str, str]) -> tuple[tuple[Network, str], ...]:
    return tuple((ipaddress.ip_network(cidr), label) for cidr, label in rows)


# Checked in order, so the most specific label wins. Explicit rather than relying on
# `is_global`, whose answers differ between Python patch releases.
_NON_PUBLIC_V4 = _table(
    ("0.0.0.0/32", "the unspecified address"),
    ("0.0.0.0/8", "a 'this network' address"),
    ("10.0.0.0/8", "a private address"),
    ("100.64.0.0/10", "a carrier-grade NAT (shared) address"),
    ("127.0.0.0/8", "a loopback address"),
    ("169.254.0.0/16", "a link-local address"),
    ("172.16.0.0/12", "a private address"),
    ("192.0.0.0/24", "an IETF protocol assignment address"),
    ("192.0.2.0/24", "a documentation address"),
    ("192.88.99.0/24", "a 6to4 relay address"),
    ("192.168.0.0/16", "a private address"),
    ("198.18.0.0/15", "a benchmarking address"),
    ("198.51.100.0/24", "a documentation address"),
    ("203.0.113.0/24", "a documentation address"),
    ("224.0.0.0/4", "a multicast address"),
    ("255.255.255.255/32", "the broadcast address"),
    ("240.0.0.0/4", "a reserved address"),
)
_NON_PUBLIC_V6 = _table(
    ("::/128", "the unspecified address"),
    ("::1/128", "a loopback address"),
    ("::ffff:0:0/96", "an IPv4-mapped IPv6 address"),
    ("::/96", "an IPv4-compatible IPv6 address"),
    ("::ffff:0:0:0/96", "an IPv4-translated IPv6 address"),
    ("64:ff9b::/96", "a NAT64 address"),
    ("64:ff9b:1::/48", "a NAT64 address"),
    ("100::/64", "a discard-only address"),
    ("2001::/32", "a Teredo address"),
    ("2001::/23", "an IETF protocol assignment address"),
    ("2001:db8::/32", "a documentation address"),
    # All of 6to4, not only private embeddings: it is deprecated (RFC 7526) and the
    # relay that decapsulates it may sit anywhere, including next to us.
    ("2002::/16", "a 6to4 address"),
    ("3fff::/20", "a documentation address"),
    ("5f00::/16", "a segment-routing address"),
    ("fc00::/7", "a unique-local (private) address"),
    ("fe80::/10", "a link-local address"),
    ("fec0::/10", "a site-local address"),
    ("ff00::/8", "a multicast address"),
)
# Only this block is allocated for global unicast; anything else is unroutable today.
_GLOBAL_UNICAST_V6 = ipaddress.IPv6Network("2000::/3")


def parse_allow_list(entries: Iterable[str]) -> tuple[Network, ...]:
    """Turn configured IPs and CIDRs into networks, so a typo fails at startup."""
    networks: list[Network] = []
    for entry in entries:
        text = entry.strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text))
        except ValueError:
            raise ValueError(
                f"invalid allow-list entry {entry!r}: expected an IP address or a network "
                "such as 10.0.0.0/8 (with no host bits set)"
            ) from None
    return tuple(networks)


def address_class(address: Address) -> str | None:
    """Name why an address is not public ("a private address"), or None if it is."""
    if isinstance(address, ipaddress.IPv4Address):
        table = _NON_PUBLIC_V4
    else:
        table = _NON_PUBLIC_V6
    for network, label in table:
        if address in network:
            return label
    if isinstance(address, ipaddress.IPv6Address) and address not in _GLOBAL_UNICAST_V6:
        return "a reserved address"
    if not address.is_global:
        return "a non-public address"
    return None


def is_public_address(address: Address) -> bool:
    """True only for globally routable unicast addresses."""
    return address_class(address) is None
