"""Who is on the other end of a request, when a reverse proxy stands in between.

Behind a proxy every request comes from the proxy's address, so sign-in limits and the
audit trail would see one client for the whole region. The proxy names the real client
in ``X-Forwarded-For`` and the scheme it was reached by in ``X-Forwarded-Proto``; only a
proxy the installation trusts may say so, or anyone could claim any address by sending
the header themselves.

``ClientAddressMiddleware`` (first in the stack) applies ``client_address`` to every
request: ``REMOTE_ADDR`` becomes the real client's address, and the forwarded headers of
a request that did not come through a trusted proxy are dropped, so Django's
``SECURE_PROXY_SSL_HEADER`` can only ever believe a trusted proxy.

Settings (environment ``SOLHOST_TRUSTED_PROXIES``, read when ``SOLHOST_BEHIND_PROXY`` is
on): either the proxies' addresses or networks, comma-separated (the default, ``127.0.0.1,
::1``, fits a proxy on the same machine), or a count of proxies in front of each other
when their addresses change (the nearest one's address is then trusted as it is).
"""

import ipaddress
from dataclasses import dataclass

from solhost.core.safe_json import whole_number

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
)


@dataclass(frozen=True)
class TrustedProxies:
    """The proxies whose forwarded headers are believed: by address, or by count."""

    networks: tuple[IPNetwork, ...] = ()
    count: int = 0

    def trusts(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)


NO_PROXY = TrustedProxies()


def parse_trusted_proxies(text: str) -> TrustedProxies:
    """``"2"`` → two proxies by count; ``"127.0.0.1, 10.0.0.0/8"`` → those networks.

    Raises ValueError naming the entry that is neither, so a typo stops the server at
    start-up instead of silently trusting nobody (or everybody).
    """
    text = text.strip()
    count = whole_number(text)
    if count is not None:
        if count < 1:
            raise ValueError("SOLHOST_TRUSTED_PROXIES: a count of proxies must be at least 1")
        return TrustedProxies(count=count)
    networks = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"SOLHOST_TRUSTED_PROXIES: {entry!r} is neither an address, a network "
                "nor a count of proxies"
            ) from None
    if not networks:
        raise ValueError("SOLHOST_TRUSTED_PROXIES is empty; give addresses or a count")
    return TrustedProxies(networks=tuple(networks))


def _address(text: str) -> IPAddress | None:
    text = text.strip()
    # An address with a port ("[2001:db8::1]:443", "203.0.113.9:51234") names the same client.
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_address(peer: str, forwarded_for: str | None, proxies: TrustedProxies) -> str:
    """The address of the client that made the request.

    Arguments:
    - ``peer``: the address the connection came from (WSGI ``REMOTE_ADDR``);
    - ``forwarded_for``: the ``X-Forwarded-For`` header, if any: addresses in the order
      the hops saw them, the client first, each proxy appending the one before it;
    - ``proxies``: whom to believe.

    The answer is read from the right, the end the installation's own proxies wrote:
    every address a trusted proxy added is skipped, and the first one no trusted proxy
    vouches for is the client. A header from a peer that is not a trusted proxy is
    ignored. A malformed entry ends the walk at the last trusted hop, so a client can't
    hide behind garbage.
    """
    peer_address = _address(peer)
    if peer_address is None or not forwarded_for:
        return peer
    hops = [entry for entry in forwarded_for.split(",") if entry.strip()]
    if proxies.count:
        if len(hops) < proxies.count:
            return peer
        chosen = _address(hops[-proxies.count])
        return str(chosen) if chosen is not None else peer
    if not proxies.trusts(peer_address):
        return peer
    client = peer_address
    for entry in reversed(hops):
        hop = _address(entry)
        if hop is None:
            break
        client = hop
        if not proxies.trusts(hop):
            break
    return str(client)


def came_through_trusted_proxy(peer: str, proxies: TrustedProxies) -> bool:
    """Whether the connection's own peer is a proxy whose forwarded headers count."""
    if proxies.count:
        return True
    peer_address = _address(peer)
    return peer_address is not None and proxies.trusts(peer_address)
