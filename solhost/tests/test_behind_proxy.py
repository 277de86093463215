"""solhost served for real: gunicorn (`solhost serve`) behind Caddy with HTTPS, as
docs/deploy.md sets it up, using the site block shipped in deploy/caddy/.

One server pair is started for the whole module (it takes a while); each test is a
client at its own loopback address (127.0.0.2, 127.0.0.3, …), so the proxy sees
different clients the way it would on the internet.
"""

import gzip
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis

from solhost.identity.tests.served import free_port, installation_env, throwaway_database
from solhost.test import PASSWORD

# One worker starts the served installation and runs every test against it.
pytestmark = pytest.mark.xdist_group("behind_proxy")

REPO = Path(__file__).resolve().parents[2]
SOLHOST = str(Path(sys.executable).with_name("solhost"))
# Workers are separate processes: sign-in limits must count in one shared cache, as in
# production. This Redis database is the test's own, emptied before and after.
REDIS_URL = "redis://127.0.0.1:6379/13"
OWNER = "owner@example.org"


def wait_for(check, what: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what} did not answer within {seconds} s")


@dataclass
class Site:
    https_port: int
    http_port: int
    app_port: int
    ca: ssl.SSLContext
    env: dict
    app_log: Path

    def client(self, address: str) -> "Browser":
        return Browser(site=self, address=address)

    def shell(self, code: str) -> str:
        done = subprocess.run(
            [SOLHOST, "shell", "--no-imports", "-c", code],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout


@dataclass
class Browser:
    """A client at one address that keeps its cookies, over HTTPS through Caddy."""

    site: Site
    address: str
    cookies: dict = field(default_factory=dict)

    def request(self, method: str, path: str, body: dict | None = None, headers=None):
        connection = http.client.HTTPSConnection(
            "localhost",
            self.site.https_port,
            source_address=(self.address, 0),
            context=self.site.ca,
            timeout=30,
        )
        sent = {"Host": f"localhost:{self.site.https_port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = f"https://localhost:{self.site.https_port}"
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        return response, content

    def sign_in(self, email: str, password: str):
        _, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request(
            "POST",
            "/accounts/login/",
            {"login": email, "password": password, "csrfmiddlewaretoken": token.decode()},
        )


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    caddy = shutil.which("caddy")
    assert caddy, "Caddy is not installed: `make test` installs it (Debian package caddy)"
    tmp = tmp_path_factory.mktemp("behind-proxy")
    https_port, http_port, app_port = free_port(), free_port(), free_port()
    database_url, drop_database = throwaway_database(tmp, "solhost_proxy")
    env = installation_env(
        database_url,
        tmp / "var",
        SOLHOST_BASE_URL=f"https://localhost:{https_port}",
        SOLHOST_BEHIND_PROXY="true",
        SOLHOST_TRUSTED_PROXIES="127.0.0.1,::1",
        REDIS_URL=REDIS_URL,
    )
    redis_db = redis.Redis.from_url(REDIS_URL)
    redis_db.flushdb()
    subprocess.run([SOLHOST, "migrate", "-v0"], env=env, check=True, timeout=300)
    subprocess.run(
        [SOLHOST, "shell", "-c", "from solhost.test import make_user; make_user('owner')"],
        env=env,
        check=True,
        timeout=120,
    )
    app_log = tmp / "app.log"
    with app_log.open("w") as log:
        app = subprocess.Popen(
            [SOLHOST, "serve", "--port", str(app_port), "--workers", "2", "--threads", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    caddyfile = tmp / "Caddyfile"
    # Test-only global options; the site block is the one deploy/ ships.
    caddyfile.write_text(
        "{\n\tadmin off\n\tskip_install_trust\n\tlocal_certs\n"
        f"\thttp_port {http_port}\n\thttps_port {https_port}\n}}\n"
        f"import {REPO / 'deploy' / 'caddy' / 'solhost.caddy'}\n"
    )
    caddy_env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp),
        "XDG_DATA_HOME": str(tmp / "caddy-data"),
        "XDG_CONFIG_HOME": str(tmp / "caddy-config"),
        "SOLHOST_DOMAIN": f"localhost:{https_port}",
        "SOLHOST_UPSTREAM": f"127.0.0.1:{app_port}",
    }
    proxy = subprocess.Popen(
        [caddy, "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
        env=caddy_env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp / "caddy.log").open("w"),
    )
    root = tmp / "caddy-data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    try:
        wait_for(
            lambda: socket.create_connection(("127.0.0.1", app_port), timeout=1).close() or True,
            "solhost serve",
            app,
        )
        wait_for(root.exists, "Caddy's certificate authority", proxy)
        ca = ssl.create_default_context(cafile=str(root))
        built = Site(https_port, http_port, app_port, ca, env, app_log)
        wait_for(
            lambda: built.client("127.0.0.1").request("GET", "/accounts/login/")[0].status == 200,
            "Caddy in front of solhost",
            proxy,
        )
        yield built
    finally:
        proxy.terminate()
        app.terminate()
        proxy.wait(timeout=30)
        app.wait(timeout=30)
        drop_database()
        redis_db.flushdb()


def test_https_through_the_proxy_answers_with_the_page_and_hsts_not_a_redirect(site):
    response, body = site.client("127.0.0.2").request(
        "GET", "/accounts/login/", headers={"Accept-Encoding": "gzip"}
    )
    assert response.status == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"<form" in gzip.decompress(body)
    assert response.headers["Server"] == "Caddy"


def test_solhost_serve_itself_answers_a_proxied_https_request_with_the_page_and_hsts(site):
    # What Caddy sends, sent straight to `solhost serve` from the machine itself.
    connection = http.client.HTTPConnection("127.0.0.1", site.app_port, timeout=10)
    connection.request(
        "GET",
        "/accounts/login/",
        headers={"Host": "localhost", "X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"},
    )
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"<form" in gzip.decompress(body)


def test_plain_http_is_sent_to_https(site):
    for port in (site.http_port, site.app_port):
        # Caddy's own HTTP port redirects; so does solhost reached without the proxy.
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/accounts/login/", headers={"Host": "localhost"})
        response = connection.getresponse()
        assert response.status in (301, 308), port
        assert response.headers["Location"].startswith("https://localhost"), port
        connection.close()


def test_cookies_are_secure_behind_the_proxy(site):
    browser = site.client("127.0.0.2")
    response, _ = browser.request("GET", "/accounts/login/")
    cookies = response.headers.get_all("Set-Cookie")
    assert cookies and all("Secure" in cookie for cookie in cookies), cookies
    response, _ = browser.sign_in(OWNER, PASSWORD)
    assert response.status == 302
    session = [c for c in response.headers.get_all("Set-Cookie") if c.startswith("sessionid=")]
    assert session and "Secure" in session[0] and "HttpOnly" in session[0]


def test_the_audit_trail_names_the_real_client_not_the_proxy_nor_a_forged_header(site):
    browser = site.client("127.0.0.4")
    _, page = browser.request("GET", "/accounts/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    browser.request(
        "POST",
        "/accounts/login/",
        {"login": "ghost-4@example.org", "password": "wrong", "csrfmiddlewaretoken": token},
        headers={"X-Forwarded-For": "10.9.9.9"},
    )
    notes = json.loads(
        site.shell(
            "import json; from solhost.core.models import AuditEvent; "
            "print(json.dumps(list(AuditEvent.objects.filter(note__startswith='ghost-4')"
            ".values_list('note', flat=True))))"
        )
    )
    assert notes == ["ghost-4@example.org from 127.0.0.4"]


def test_the_server_runs_the_workers_it_was_asked_for(site):
    booted = re.findall(r"Booting worker with pid", site.app_log.read_text())
    assert len(booted) >= 2


def test_sign_in_limits_see_each_client_behind_the_proxy(site):
    attacker, owner = site.client("127.0.0.2"), site.client("127.0.0.3")
    for _ in range(8):
        response, _ = attacker.sign_in(OWNER, "not-the-password")
        assert response.status == 200
    # The attacker's address now waits before any attempt at this account is checked,
    # even one with the right password …
    response, page = attacker.sign_in(OWNER, PASSWORD)
    assert response.status == 200
    assert b"Please wait" in page
    # … while the owner, at their own address, signs in at once.
    response, _ = owner.sign_in(OWNER, PASSWORD)
    assert response.status == 302
