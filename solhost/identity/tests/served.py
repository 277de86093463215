"""A solhost installation served for real, and a browser's part in it, for the tests that
drive real relying parties (openid-client, Synapse) and the reverse proxy.

``throwaway_database`` gives each served installation its own migrated database of the
kind the suite runs on; ``submit`` and ``redirected`` play the resident's browser with requests.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin

import requests
from django.conf import settings

from solhost.tests.migrated import drop_postgresql, migrated_postgresql, migrated_sqlite

# How long one step (a page, a form) may take before the test fails.
STEP_TIMEOUT = 30
# How long a served program (solhost serve, Synapse) may take to answer after it starts.
START_TIMEOUT = 120
SOLHOST = str(Path(sys.executable).with_name("solhost"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def on_loopback(handler: type[BaseHTTPRequestHandler]) -> Iterator[ThreadingHTTPServer]:
    """A service's endpoint played by ``handler``, served on this machine's loopback at a
    free port for as long as the block runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def installation_env(database_url: str, var: Path, **settings_: str) -> dict[str, str]:
    """The environment of a served installation: this process's, without its solhost,
    Django and Redis settings, plus its own database, var/ folder and ``settings_``."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SOLHOST_", "DJANGO_")) and name != "REDIS_URL"
    }
    return {**inherited, "DATABASE_URL": database_url, "SOLHOST_VAR_DIR": str(var), **settings_}


def start_logged(stack: ExitStack, command: list[str], env: dict, log: Path) -> subprocess.Popen:
    """Start ``command`` with its output in ``log``; it is stopped when ``stack`` closes."""
    out = stack.enter_context(log.open("w"))
    process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)

    def stop():
        # INT is huey's graceful stop and gunicorn's quick one; Synapse stops on it as well.
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    stack.callback(stop)
    return process


def wait_until_up(url: str, process: subprocess.Popen, what: str, log: Path) -> None:
    """Return once ``url`` answers 2xx; fail with the end of ``log`` if ``process`` exits or
    takes longer than START_TIMEOUT."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            if requests.get(url, timeout=5).ok:
                return
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{what} did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def serve_region(
    stack: ExitStack, env: dict, *, port: int, log: Path, workers: int = 1, threads: int = 4
) -> subprocess.Popen:
    """``solhost serve`` on loopback ``port`` for the installation ``env`` describes, once it
    answers; stopped when ``stack`` closes. One worker is plenty for one service and one
    browser, and spares shared cores."""
    server = start_logged(
        stack,
        [
            SOLHOST,
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        env,
        log,
    )
    wait_until_up(
        f"http://127.0.0.1:{port}/.well-known/openid-configuration", server, "solhost serve", log
    )
    return server


def throwaway_database(tmp: Path, prefix: str):
    """A throw-away database of the kind this suite runs on, already migrated
    (solhost.tests.migrated), and how to drop it."""
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        migrated_sqlite(tmp / "site.sqlite3")
        return f"sqlite:///{tmp / 'site.sqlite3'}", lambda: None
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    url = migrated_postgresql(os.environ["DATABASE_URL"], name)
    return url, lambda: drop_postgresql(url, name)


class Forms(HTMLParser):
    """The inputs and named buttons of each form on a page."""

    def __init__(self, page: str):
        super().__init__()
        self.forms: list[dict] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"action": attributes.get("action") or "", "inputs": {}, "buttons": {}}
            )
        elif attributes.get("type") == "checkbox" and "checked" not in attributes:
            return  # a browser sends only ticked boxes
        elif tag in ("input", "button") and self.forms and attributes.get("name"):
            kind = "buttons" if tag == "button" else "inputs"
            self.forms[-1][kind][attributes["name"]] = attributes.get("value") or ""


def submit(
    browser: requests.Session, page: requests.Response, button: str | None = None, **fields
) -> requests.Response:
    """Fill in the page's form that has these fields (and button), send it as a browser
    would, and return the answer without following it."""
    for form in Forms(page.text).forms:
        if set(fields) <= set(form["inputs"]) and (button is None or button in form["buttons"]):
            pressed = {button: form["buttons"][button]} if button else {}
            return browser.post(
                urljoin(page.url, form["action"]),
                data={**form["inputs"], **fields, **pressed},
                allow_redirects=False,
                timeout=STEP_TIMEOUT,
            )
    raise AssertionError(
        f"no form with {sorted(fields)} {button} at {page.url}:\n{page.text[:2000]}"
    )


def redirected(response: requests.Response) -> str:
    assert response.status_code in (302, 303), (
        f"{response.request.method} {response.url} answered {response.status_code}, "
        f"not a redirect:\n{response.text[:2000]}"
    )
    return urljoin(response.url, response.headers["Location"])
