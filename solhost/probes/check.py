"""One check of one address a partner declared: does the service answer? Pure: no Django.

The region's worker makes these requests from inside the region, so they must never be a
way to reach what a partner did not declare (server-side request forgery):
- only ``http`` and ``https`` addresses, on the hosts the service declared;
- the host's name is resolved once, and the request goes to that address (so a second
  resolution cannot point it elsewhere); a name resolving to any private, loopback,
  link-local or otherwise non-public address is not probed unless the address is the
  service's local-network one, or the installation allows that host explicitly;
- a redirect is followed only to a host the service declared, at most a few times;
- every check ends within its deadline (the name lookup within the system resolver's own
  limit), and at most ``max_bytes`` of the answer are read.
"""

import http.client
import ipaddress
import socket
import ssl
import time
import urllib.parse
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final

# Enough to tell a page from an error; the body is never kept.
MAX_BYTES: Final = 64 * 1024
MAX_REDIRECTS: Final = 3
USER_AGENT: Final = "solhost-probe (availability check from inside the region)"


@dataclass(frozen=True)
class Check:
    """What one check found.

    ``refused`` is a check not made because the address may not be probed: it says
    nothing about the service, so it counts neither as up nor as down.
    """

    up: bool
    status_code: int | None = None
    latency_ms: int | None = None
    problem: str = ""
    refused: bool = False


def answers_up(status_code: int) -> bool:
    """A final answer that shows the service working: success, or asking the visitor to sign in."""
    return 200 <= status_code < 300 or status_code in (401, 403)


def host_of(url: str) -> str:
    """The lower-case host name of ``url``, or "" when it has none."""
    return (urllib.parse.urlsplit(url).hostname or "").lower()


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return ip.is_global and not ip.is_multicast


def check_url(
    url: str,
    *,
    declared_hosts: Collection[str],
    private_allowed: bool,
    timeout: float,
    max_bytes: int = MAX_BYTES,
) -> Check:
    """Request ``url`` and say whether the service is up.

    Args:
        url: the address to check; its host must be among ``declared_hosts``.
        declared_hosts: lower-case host names the service declared; redirects may only
            lead to these.
        private_allowed: whether the hosts may resolve to non-public addresses (the
            service's local-network address, or a host the installation allows).
        timeout: seconds for the whole check, redirects included.
        max_bytes: the most of each answer read.
    """
    deadline = time.monotonic() + timeout
    started = time.monotonic()
    for _ in range(MAX_REDIRECTS + 1):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return Check(up=False, problem=f"{url} is not an http:// or https:// address")
        host = parts.hostname.lower()
        if host not in declared_hosts:
            return Check(
                up=False,
                refused=True,
                problem=f"{host} is not a host the service declared; not requested",
            )
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return Check(up=False, problem=f"{url} has a port that is not a number to 65535")
        try:
            address = _resolve(host, port, private_allowed=private_allowed, deadline=deadline)
        except _Refused as refusal:
            return Check(up=False, refused=True, problem=str(refusal))
        except OSError as error:
            return Check(up=False, problem=f"{host} could not be resolved ({error})")
        try:
            status, location = _request(
                parts, address, port, deadline=deadline, max_bytes=max_bytes
            )
        except TimeoutError:
            return Check(up=False, problem=f"no answer within {timeout:g} seconds")
        except ssl.SSLError as error:
            return Check(up=False, problem=f"the secure connection failed ({error.reason})")
        except (OSError, http.client.HTTPException) as error:
            return Check(up=False, problem=f"the service could not be reached ({error})")
        latency_ms = round((time.monotonic() - started) * 1000)
        if 300 <= status < 400 and location:
            try:
                target = urllib.parse.urljoin(url, location)
                target_host = host_of(target)
            except ValueError:  # e.g. "http://[x/": the service's answer, so anything
                return Check(
                    up=False,
                    status_code=status,
                    latency_ms=latency_ms,
                    problem=f"redirects to {location[:200]!r}, which is no address; not followed",
                )
            if target_host not in declared_hosts:
                return Check(
                    up=False,
                    status_code=status,
                    latency_ms=latency_ms,
                    problem=f"redirects to {target_host or target}, a host the service "
                    "does not declare; not followed",
                )
            url = target
            continue
        return Check(
            up=answers_up(status),
            status_code=status,
            latency_ms=latency_ms,
            problem="" if answers_up(status) else f"answered HTTP {status}",
        )
    return Check(up=False, problem=f"more than {MAX_REDIRECTS} redirects")


class _Refused(Exception):
    """The host resolves to an address the probe may not reach."""


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _resolve(host: str, port: int, *, private_allowed: bool, deadline: float) -> str:
    """One address of ``host`` to connect to; every address it has must be allowed, so the
    choice among them cannot lead somewhere the partner did not mean."""
    _remaining(deadline)
    addresses = [
        str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    ]
    if not private_allowed:
        private = [a for a in addresses if not is_public_address(a)]
        if private:
            raise _Refused(
                f"{host} resolves to {private[0]}, which is not a public address; "
                "only a local-network address is probed inside the network"
            )
    return addresses[0]


def _request(
    parts: urllib.parse.SplitResult, address: str, port: int, *, deadline: float, max_bytes: int
) -> tuple[int, str]:
    """GET the address at the resolved ``address``; the status and any Location header."""
    host = parts.hostname or ""
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(host, port, timeout=_remaining(deadline))

    def connect_to_resolved(
        _where: object, timeout: float | None, source_address: tuple[str, int] | None = None
    ) -> socket.socket:
        return socket.create_connection((address, port), timeout, source_address)

    # The name was checked and resolved above; connecting to that address, not the name,
    # keeps a second lookup from pointing elsewhere. TLS still checks the name.
    connection._create_connection = connect_to_resolved  # type: ignore[attr-defined]
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
        response = connection.getresponse()
        read = 0
        while read < max_bytes:
            if connection.sock is not None:
                connection.sock.settimeout(_remaining(deadline))
            chunk = response.read(min(16384, max_bytes - read))
            if not chunk:
                break
            read += len(chunk)
        return response.status, response.getheader("Location") or ""
    finally:
        connection.close()
