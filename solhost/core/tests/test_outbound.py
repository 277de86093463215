"""Requests to addresses others gave the region go only where the rule allows, and to the
address that was judged, whatever the name resolves to later."""

import ipaddress
from http.server import BaseHTTPRequestHandler

import pytest

from solhost.core.outbound import (
    RefusedAddress,
    ip_address,
    is_public_address,
    pinned_connection,
    resolve,
    special_address_kind,
)
from solhost.identity.tests.served import on_loopback


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("203.0.113.7", False),  # documentation range
        ("8.8.8.8", True),
        ("10.1.2.3", False),
        ("192.168.1.10", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("169.254.169.254", False),  # cloud metadata
        ("::1", False),
        ("::ffff:127.0.0.1", False),
        ("fd00::1", False),
        ("2001:4860:4860::8888", True),
        ("224.0.0.1", False),
    ],
)
def test_public_addresses(address, public):
    assert is_public_address(address) is public


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),  # an IPv4 address written in IPv6
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 (an address judged, not listened on)
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        # Where a region's services live: its local networks and the mesh.
        ("10.1.2.3", None),
        ("192.168.1.10", None),
        ("fd00::1", None),
        ("100.64.0.1", None),
        ("8.8.8.8", None),
    ],
)
def test_special_addresses(address, kind):
    assert special_address_kind(ip_address(address)) == kind


def _refuse_loopback(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    return "a loopback address" if ip.is_loopback else None


def test_a_name_is_judged_by_every_address_it_resolves_to():
    with pytest.raises(
        RefusedAddress, match=r"localhost resolves to (127\.0\.0\.1|::1), a loopback"
    ):
        resolve("localhost", 80, rule=_refuse_loopback)

    assert resolve("127.0.0.1", 80, rule=lambda ip: None) == "127.0.0.1"


class _HostEcho(BaseHTTPRequestHandler):
    def do_GET(self):
        body = self.headers["Host"].encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_connection_goes_to_the_judged_address_in_the_name_of_the_host():
    with on_loopback(_HostEcho) as server:
        port = server.server_port
        # The name resolves nowhere: only the judged address can have been reached.
        connection = pinned_connection("http", "files.mcc.invalid", "127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/")
            answer = connection.getresponse().read().decode()
        finally:
            connection.close()

    assert answer == f"files.mcc.invalid:{port}"
