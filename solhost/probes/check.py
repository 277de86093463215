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
import ssl
import time
import urllib.parse
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final

from solhost.core.outbound import (
    AddressRule,
    RefusedAddress,
    is_public_address,
    pinned_connection,
    port_of,
    request_target,
    resolve,
)

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
            port = port_of(parts)
        except ValueError:
            return Check(up=False, problem=f"{url} has a port that is not a number to 65535")
        try:
            _remaining(deadline)
            address = resolve(host, port, rule=_probe_rule(private_allowed))
        except RefusedAddress as refusal:
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


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _probe_rule(private_allowed: bool) -> AddressRule:
    """Any address, for a service's local-network address or a host the installation
    allows; otherwise public addresses only."""

    def rule(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        if private_allowed or is_public_address(str(ip)):
            return None
        return (
            "which is not a public address; only a local-network address is probed inside "
            "the network"
        )

    return rule


def _request(
    parts: urllib.parse.SplitResult, address: str, port: int, *, deadline: float, max_bytes: int
) -> tuple[int, str]:
    """GET the address at the resolved ``address``; the status and any Location header."""
    connection = pinned_connection(
        parts.scheme, parts.hostname or "", address, port, timeout=_remaining(deadline)
    )
    try:
        connection.request(
            "GET", request_target(parts), headers={"User-Agent": USER_AGENT, "Accept": "*/*"}
        )
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
