"""Requests the region's servers make to an address someone else gave them (a partner's
service to probe, a service's back-channel logout endpoint), which must reach only where
that address may lead: server-side request forgery is a partner, or whoever holds a
partner's account, pointing the region's own servers at what sits beside them. Pure: no
Django.

The host's name is resolved once and every address it has is judged, so the choice among
them can't lead anywhere refused; the connection then goes to the judged address, not the
name, so a second lookup can't point it elsewhere (DNS rebinding). TLS still checks the
name. Nothing here follows a redirect.
"""

import http.client
import io
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

# Why an address may not be reached (said after "<host> resolves to <address>, "), or None.
AddressRule = Callable[[ipaddress.IPv4Address | ipaddress.IPv6Address], str | None]


class RefusedAddress(Exception):
    """The host resolves to an address the rule refuses; nothing was sent."""


def ip_address(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """``address`` as an IP address, an IPv4 one written in IPv6 (``::ffff:127.0.0.1``)
    as the IPv4 address it is, which is where a connection to it goes."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def is_public_address(address: str) -> bool:
    """Whether ``address`` is on the public internet (and not a multicast group)."""
    ip = ip_address(address)
    return ip.is_global and not ip.is_multicast


def special_address_kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """What ``ip`` is when no service could live there: "loopback" (the machine itself),
    "link-local" (including the 169.254.169.254 that cloud hosts answer with their
    secrets), "unspecified", "multicast" or "reserved"; None for any other. Private
    network addresses (10.0.0.0/8, 192.168.0.0/16, fc00::/7 …) are not special: a region's
    services sit on its local networks and the LoRes mesh."""
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_multicast:
        return "multicast"
    if ip.is_reserved:
        return "reserved"
    return None


def port_of(parts: SplitResult) -> int:
    """The port an http(s) address names, or its scheme's; ValueError for one past 65535."""
    return parts.port or (443 if parts.scheme == "https" else 80)


def request_target(parts: SplitResult) -> str:
    """What the request line asks the host for: the address's path and query."""
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def resolve(host: str, port: int, *, rule: AddressRule) -> str:
    """One address of ``host`` to connect to.

    Raises RefusedAddress when ``rule`` refuses any address the name has, and OSError when
    it can't be resolved (within the system resolver's own time limit).
    """
    addresses = [
        str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    ]
    for address in addresses:
        problem = rule(ip_address(address))
        if problem is not None:
            raise RefusedAddress(f"{host} resolves to {address}, {problem}")
    return addresses[0]


class _ReadsBy(io.RawIOBase):
    """A socket's reads (``sock.makefile``'s, so the socket stays open while they are
    wanted), each given only the time left until ``deadline`` (monotonic)."""

    def __init__(self, sock: socket.socket, deadline: float):
        super().__init__()
        self.sock, self.deadline = sock, deadline
        self.reads = sock.makefile("rb", buffering=0)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "WriteableBuffer") -> int | None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        self.sock.settimeout(left)
        return self.reads.readinto(buffer)

    def close(self) -> None:
        self.reads.close()
        super().close()


class _AnsweredBy:
    """What ``http.client.HTTPResponse`` reads its answer through: the connection's socket,
    read by a deadline."""

    def __init__(self, sock: socket.socket, deadline: float):
        self.sock, self.deadline = sock, deadline

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(_ReadsBy(self.sock, self.deadline))


def pinned_connection(
    scheme: str, host: str, address: str, port: int, *, timeout: float
) -> http.client.HTTPConnection:
    """An HTTP(S) connection for ``host`` that connects to ``address``, which ``resolve``
    judged: the request names the host (and TLS checks its certificate) as usual.

    The answer must come within ``timeout`` seconds of now, all of it, not each read: a
    host sending a byte just before each read would time out could otherwise hold the
    caller for as long as it liked.
    """
    deadline = time.monotonic() + timeout
    connection = (
        http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
        if scheme == "https"
        else http.client.HTTPConnection(host, port, timeout=timeout)
    )

    def connect_to_judged(
        _where: object, timeout: float | None, source_address: tuple[str, int] | None = None
    ) -> socket.socket:
        return socket.create_connection((address, port), timeout, source_address)

    # http.client connects through this attribute (its own socket.create_connection):
    # replacing it is how the connection goes to the judged address, with everything else
    # (the Host header, TLS's server name and certificate check) still about the name.
    connection._create_connection = connect_to_judged  # type: ignore[attr-defined]

    def answer(sock: socket.socket, **kwargs: Any) -> http.client.HTTPResponse:
        return http.client.HTTPResponse(_AnsweredBy(sock, deadline), **kwargs)  # type: ignore[arg-type]

    connection.response_class = answer  # type: ignore[assignment]
    return connection
