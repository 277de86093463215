"""openid-client, the certified npm library, signs a resident in through the region.

The relying party is a Node program (relying_parties/openid_client/) that only uses the
library: discovery, the authorization-code flow with S256 PKCE, ID-token validation,
userinfo, a silent sign-in (``prompt=none``) naming the resident by ``id_token_hint``,
refresh with ``offline_access``, revocation, RP-initiated logout, and a silent sign-in
refused once the resident has signed out. This test
plays the resident's browser with ``requests`` (sign-in form, consent, sign-out) and
passes the redirects to the program over JSON lines on its stdin and stdout.

The region is ``solhost serve`` in a subprocess over a throw-away database of the kind the
suite runs on, started once for the module. `make test` installs the npm package
(``npm ci``); without node or the package the test fails rather than skips.
"""

import json
import queue
import shutil
import subprocess
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
import requests

from solhost.identity.assurance import ACR_PASSWORD, AMR_PASSWORD
from solhost.identity.tests.served import (
    SOLHOST,
    STEP_TIMEOUT,
    free_port,
    installation_env,
    redirected,
    serve_region,
    submit,
    throwaway_database,
)
from solhost.test import PASSWORD

RELYING_PARTY = Path(__file__).resolve().parent / "relying_parties" / "openid_client"
# The service's own pages are never fetched: the test stops at each redirect to them.
SERVICE = "http://127.0.0.1:9"
CALLBACK = f"{SERVICE}/callback"
AFTER_LOGOUT = f"{SERVICE}/signed-out"
RESIDENT = "rita@example.org"
# Seconds the program may take for one step (a step makes a few HTTP requests).
MAKE_TEST = "run `make test`, which installs it"


@dataclass
class Region:
    issuer: str
    credentials: dict
    log: Path

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


SET_UP = f"""
from io import StringIO
from django.core.management import call_command
from solhost.test import make_world
call_command("migrate", verbosity=0)
make_world()
out = StringIO()
call_command(
    "oidc-client", "add", "--service", "mcc-files", "--redirect-uri", "{CALLBACK}",
    "--post-logout-redirect-uri", "{AFTER_LOGOUT}", "--json", stdout=out,
)
print(out.getvalue())
"""


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("openid-client")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    database_url, drop_database = throwaway_database(tmp, "solhost_openid_client")
    env = installation_env(database_url, tmp / "var", SOLHOST_BASE_URL=issuer)
    log = tmp / "server.log"
    with ExitStack() as stack:
        stack.callback(drop_database)
        set_up = subprocess.run(
            [SOLHOST, "shell", "--no-imports", "-c", SET_UP],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert set_up.returncode == 0, f"setting up the region failed:\n{set_up.stderr}"
        credentials = json.loads(set_up.stdout)
        serve_region(stack, env, port=port, log=log)
        yield Region(issuer, credentials, log)


class RelyingParty:
    """The Node program, kept running for the whole flow; one JSON object a line each way."""

    def __init__(self, region: Region, stderr: Path):
        node = shutil.which("node")
        if node is None:
            pytest.fail(f"node is not installed: {MAKE_TEST}")
        if not (RELYING_PARTY / "node_modules" / "openid-client" / "package.json").is_file():
            pytest.fail(f"the npm package openid-client is not installed: {MAKE_TEST}")
        self.region = region
        self.stderr_path = stderr
        self.stderr = stderr.open("w")
        self.process = subprocess.Popen(
            [node, "relying_party.mjs"],
            cwd=RELYING_PARTY,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def fail(self, why: str) -> NoReturn:
        pytest.fail(
            f"{why}\n--- openid-client's stderr ---\n{self.stderr_path.read_text()[-3000:]}"
            f"\n--- the region's log ---\n{self.region.log_tail()}",
            pytrace=False,
        )

    def send(self, message: dict) -> None:
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()

    def expect(self, event: str) -> dict:
        try:
            line = self.lines.get(timeout=STEP_TIMEOUT)
        except queue.Empty:
            self.fail(f"openid-client said nothing for {STEP_TIMEOUT} s (waiting for {event!r})")
        if line is None:
            self.fail(f"openid-client exited ({self.process.wait()}) before {event!r}")
        message = json.loads(line)
        if message["event"] == "failed":
            self.fail(
                f"openid-client failed before {event!r}: {message['name']} "
                f"{message['code']} {message['error']} (HTTP {message['status']}): "
                f"{message['message']}\n{message['stack']}"
            )
        assert message["event"] == event, message
        return message

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=STEP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.stderr.close()


def sign_in(browser: requests.Session, start: str) -> str:
    """Sign the resident in from ``start`` (a page that sends to the sign-in form);
    where the region sends them afterwards."""
    login_page = browser.get(redirected(browser.get(start, allow_redirects=False)))
    assert login_page.status_code == 200, login_page.text[:2000]
    return redirected(submit(browser, login_page, login=RESIDENT, password=PASSWORD))


def test_openid_client_signs_a_resident_in_refreshes_revokes_and_signs_out(region, tmp_path):
    relying_party = RelyingParty(region, tmp_path / "openid-client.stderr")
    try:
        relying_party.send(
            {
                "issuer": region.issuer,
                "client_id": region.credentials["client_id"],
                "client_secret": region.credentials["client_secret"],
                "redirect_uri": CALLBACK,
                "post_logout_redirect_uri": AFTER_LOGOUT,
            }
        )
        authorize_url = relying_party.expect("authorize")["url"]

        browser = requests.Session()
        back_at_authorize = sign_in(browser, authorize_url)
        consent = browser.get(back_at_authorize, allow_redirects=False, timeout=STEP_TIMEOUT)
        assert consent.status_code == 200, consent.text[:2000]
        assert "Sign in to MCC Files?" in consent.text
        callback = redirected(submit(browser, consent, button="allow"))
        assert callback.startswith(f"{CALLBACK}?"), callback
        relying_party.send({"callback": callback})
        # Still signed in, the browser is sent straight back with a code for the resident
        # the service's ID token names (prompt=none with that ID token as id_token_hint).
        silently = relying_party.expect("authorize_silently")["url"]
        silent_callback = redirected(
            browser.get(silently, allow_redirects=False, timeout=STEP_TIMEOUT)
        )
        assert "code=" in silent_callback, silent_callback
        relying_party.send({"callback": silent_callback})
        signed_in = relying_party.expect("signed_in")

        discovery = signed_in["discovery"]
        assert discovery["issuer"] == region.issuer
        assert "S256" in discovery["code_challenge_methods_supported"]
        assert discovery["authorization_response_iss_parameter_supported"] is True

        assert "offline_access" in signed_in["scope"].split()
        assert signed_in["has_refresh_token"]
        claims = signed_in["id_token_claims"]
        assert claims["aud"] == region.credentials["client_id"]
        assert claims["sid"]
        assert abs(claims["auth_time"] - time.time()) < 120, claims
        assert claims["amr"] == [AMR_PASSWORD]
        assert claims["acr"] == ACR_PASSWORD
        assert signed_in["silently_signed_in_as"] == claims["sub"]
        userinfo = signed_in["userinfo"]
        assert userinfo["sub"] == claims["sub"]
        assert userinfo["email"] == RESIDENT
        assert userinfo["email_verified"] is True

        refreshed = signed_in["refreshed"]
        assert refreshed["new_access_token"] and refreshed["new_refresh_token"], refreshed
        # The region sends no new ID token with a refresh (OpenID Connect Core §12.2
        # allows that; see RegionValidator.refresh_id_token): the service keeps the first.
        assert refreshed["id_token_claims"] is None, refreshed
        assert signed_in["userinfo_after_refresh"]["sub"] == claims["sub"]

        # Revoked at the revocation endpoint, the tokens are refused where they are used.
        assert signed_in["userinfo_after_revocation"]["status"] == 401, signed_in
        assert signed_in["userinfo_after_revocation"]["error"] == "invalid_token", signed_in
        assert signed_in["refresh_after_revocation"]["error"] == "invalid_grant", signed_in

        # The same resident in another browser is asked first: the ID token names the
        # session in the first browser (its sid), not this one.
        end_session_url = signed_in["end_session_url"]
        elsewhere = requests.Session()
        sign_in(elsewhere, f"{region.issuer}/accounts/connected/")
        asked = elsewhere.get(end_session_url, allow_redirects=False, timeout=STEP_TIMEOUT)
        assert asked.status_code == 200, asked.text[:2000]
        assert "Sign out of the region?" in asked.text

        signed_out = redirected(
            browser.get(end_session_url, allow_redirects=False, timeout=STEP_TIMEOUT)
        )
        relying_party.send({"signed_out": signed_out})
        back = relying_party.expect("signed_out")
        assert back["at"] == AFTER_LOGOUT and back["state_matches"], (signed_out, back)

        # Signed out, the browser is sent back from a silent sign-in with login_required,
        # which the library hands the service as that error (it checks iss first).
        silent_callback = redirected(
            browser.get(back["silent_authorize_url"], allow_redirects=False, timeout=STEP_TIMEOUT)
        )
        assert silent_callback.startswith(f"{CALLBACK}?"), silent_callback
        relying_party.send({"callback": silent_callback})
        refusal = relying_party.expect("silently_answered")["refusal"]
        assert refusal is not None, "a code came back for a signed-out browser"
        assert refusal["name"] == "AuthorizationResponseError", refusal
        assert refusal["error"] == "login_required", refusal

        connected = f"{region.issuer}/accounts/connected/"
        for which, session, still_signed_in in (
            ("the first browser", browser, False),
            ("the other browser", elsewhere, True),
        ):
            answer = session.get(connected, allow_redirects=False, timeout=STEP_TIMEOUT)
            assert (answer.status_code == 200) is still_signed_in, (which, answer.status_code)
    finally:
        relying_party.close()
