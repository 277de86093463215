"""Stand-in services for the probes: one real HTTP server on a free port, answering each
path as the test needs, and counting the requests it received."""

import contextlib
import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Paths and what the server does there.
UP = "/"
FAILING = "/failing"
SIGN_IN = "/sign-in"
SLOW = "/slow"
ENDLESS = "/endless"
MOVED_HERE = "/moved-here"
MOVED_AWAY = "/moved-away"


class StandInServices(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: Counter[str] = Counter()
        self.redirect_away_to = ""
        # Set when the test is over, so a slow answer never outlives it.
        self.released = threading.Event()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: StandInServices

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.server.requests[self.path] += 1
        if self.path == FAILING:
            self._answer(500, b"broken")
        elif self.path == SIGN_IN:
            self._answer(401, b"sign in first")
        elif self.path == SLOW:
            self.server.released.wait(timeout=10)
        elif self.path == MOVED_HERE:
            self._answer(302, b"", location=UP)
        elif self.path == MOVED_AWAY:
            self._answer(302, b"", location=self.server.redirect_away_to)
        elif self.path == ENDLESS:
            self.send_response(200)
            self.end_headers()
            with contextlib.suppress(OSError):
                while not self.server.released.is_set():
                    self.wfile.write(b"x" * 65536)
        else:
            self._answer(200, b"<!doctype html><title>Up</title>")

    def _answer(self, status: int, body: bytes, *, location: str = ""):
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def stand_in_services():
    server = StandInServices()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.released.set()
        server.shutdown()
        server.server_close()


def closed_port_url() -> str:
    """An address on this machine where nothing listens: connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"
