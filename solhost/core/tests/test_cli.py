"""The ``solhost`` console script, run as a user would, against a throw-away SQLite file."""

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest

pytestmark = pytest.mark.own_database

SOLHOST = shutil.which("solhost", path=str(Path(sys.executable).parent))


def run_env(tmp_path: Path) -> dict:
    env = {
        k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("DJANGO_")
    }
    env["SOLHOST_VAR_DIR"] = str(tmp_path / "var")
    return env


def test_the_console_script_is_installed_and_lists_commands(tmp_path):
    assert SOLHOST, "the solhost console script is not installed in this environment"
    result = subprocess.run(
        [SOLHOST, "help"], env=run_env(tmp_path), capture_output=True, text=True, check=True
    )
    for command in ("demo", "serve", "load-demo", "migrate"):
        assert command in result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_demo_sets_up_serves_and_prints_the_logins(tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [SOLHOST, "demo", "--port", str(port)],
        env=run_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status, headers, body = fetch(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    pytest.fail(f"the demo did not start:\n{server.communicate()[0]}")
                time.sleep(0.5)
        assert status == 200
        assert "Content-Security-Policy" in headers
        assert b"Merri-bek" in body
        css = next(
            part.split('"')[0]
            for part in body.decode().split('href="')
            if ".css" in part.split('"')[0]
        )
        assert css.startswith("/static/css/site.") and css != "/static/css/site.css", (
            "assets are not hashed"
        )
        status, headers, _ = fetch(f"http://127.0.0.1:{port}{css}", **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("Content-Encoding") == "gzip"
        assert "max-age=315360000" in headers.get("Cache-Control", "")
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]
    database = tmp_path / "var" / "solhost.sqlite3"
    with closing(sqlite3.connect(database)) as connection:
        (password,) = connection.execute("SELECT password FROM demo_demoinstallation").fetchone()
    assert "steward@example.org" in output and f"password for all: {password}" in output
