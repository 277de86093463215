"""Synapse, the Matrix homeserver, signs a resident in through the region and is signed
out by back-channel logout.

Synapse (``matrix-synapse[oidc]``) runs from its own virtual environment, ``.venv-synapse``,
pinned by relying_parties/synapse/requirements.lock, because its dependencies would fight
the project's. `make test` installs it; without it the test fails rather than skips.

The region is ``solhost serve`` over a throw-away database of the kind the suite runs on,
with huey's consumer (``solhost run_huey``) beside it, as in production: logout tokens are
posted by a queued job. Synapse keeps its own data in SQLite. Both start once for the
module; the test plays the resident's browser with ``requests``, and a Matrix client with
plain HTTP calls.
"""

import json
import os
import re
import secrets
import subprocess
import textwrap
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
import yaml

from solhost.identity.tests.served import (
    SOLHOST,
    free_port,
    installation_env,
    redirected,
    serve_region,
    start_logged,
    submit,
    throwaway_database,
    wait_until_up,
)
from solhost.test import PASSWORD

ROOT = Path(__file__).resolve().parents[3]
SYNAPSE_PYTHON = ROOT / ".venv-synapse" / "bin" / "python"
GUIDE = ROOT / "docs" / "sso" / "synapse.md"
# A Matrix client's own page, which Synapse sends the login token to; never fetched.
MATRIX_CLIENT = "http://127.0.0.1:9/"
SERVER_NAME = "mcc.example.org"
# alice is a partner admin of the co-op mcc: the co-op's admins must get in along with its
# members, as docs/sso/synapse.md promises.
RESIDENT = "alice"
CO_OP_ROLES = ["mcc:partner_member", "mcc:partner_admin"]
STEP_TIMEOUT = 30
# How long the region may take to tell Synapse: a queued job, posted at once.
LOGOUT_TIMEOUT = 10
MAKE_TEST = "run `make test`, which installs it in .venv-synapse"


@dataclass
class Homeserver:
    url: str
    region: str
    logs: dict[str, Path]

    def log_tails(self) -> str:
        return "".join(
            f"\n--- {name} ---\n{path.read_text(errors='replace')[-3000:]}"
            for name, path in self.logs.items()
        )


SET_UP = """
import json
from io import StringIO
from django.core.management import call_command
from solhost.identity.models import ServiceClient
from solhost.test import make_world
call_command("migrate", verbosity=0)
make_world()
out = StringIO()
call_command("oidc-client", "add", "--service", "mcc-files", "--redirect-uri", {callback!r},
             "--json", stdout=out)
credentials = json.loads(out.getvalue())
# `solhost oidc-client add` has no option for it; a partner gives it on the client's form.
ServiceClient.objects.filter(client_id=credentials["client_id"]).update(
    backchannel_logout_uri={backchannel!r}
)
print(json.dumps(credentials))
"""


def provider_from_guide(issuer: str, credentials: dict) -> dict:
    """The ``oidc_providers`` entry docs/sso/synapse.md gives, with its co-op-only
    requirement, for this region and client: what the guide says is what Synapse runs."""
    blocks = re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(), re.DOTALL)
    (provider,) = yaml.safe_load(blocks[0])["oidc_providers"]
    provider.update(yaml.safe_load(textwrap.dedent(blocks[1])))
    requirement = provider["attribute_requirements"][0]
    # The guide's co-op is another of the region's; alice's is mcc.
    requirement["one_of"] = [f"mcc:{role.split(':', 1)[1]}" for role in requirement["one_of"]]
    assert requirement == {"attribute": "groups", "one_of": CO_OP_ROLES}, requirement
    return {
        **provider,
        "issuer": issuer,
        "client_id": credentials["client_id"],
        "client_secret": credentials["client_secret"],
        # Synapse refuses an issuer that is not https; the region here is plain http on
        # loopback. Everything else is still checked: ID tokens and logout tokens are
        # verified against the region's JWKS.
        "skip_verification": True,
    }


def homeserver_config(tmp: Path, port: int, issuer: str, credentials: dict) -> dict:
    """A minimal homeserver.yaml (written as JSON, which YAML reads): one client listener
    on loopback, no federation, the region as the only way in."""
    public_baseurl = f"http://127.0.0.1:{port}/"
    return {
        "server_name": SERVER_NAME,
        "public_baseurl": public_baseurl,
        "pid_file": str(tmp / "homeserver.pid"),
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(tmp / "homeserver.db")}},
        "media_store_path": str(tmp / "media_store"),
        "signing_key_path": str(tmp / "signing.key"),
        "macaroon_secret_key": secrets.token_urlsafe(32),
        "form_secret": secrets.token_urlsafe(32),
        "report_stats": False,
        "trusted_key_servers": [],
        "enable_registration": False,
        "password_config": {"enabled": False},
        # The login token goes straight to this Matrix client, without Synapse's
        # "continue to your client" page.
        "sso": {"client_whitelist": [MATRIX_CLIENT]},
        "oidc_providers": [provider_from_guide(issuer, credentials)],
    }


@pytest.fixture(scope="module")
def homeserver(tmp_path_factory) -> Iterator[Homeserver]:
    if not SYNAPSE_PYTHON.is_file():
        pytest.fail(f"Synapse is not installed: {MAKE_TEST}")
    tmp = tmp_path_factory.mktemp("synapse")
    region_port, synapse_port = free_port(), free_port()
    issuer = f"http://127.0.0.1:{region_port}"
    synapse_url = f"http://127.0.0.1:{synapse_port}"
    database_url, drop_database = throwaway_database(tmp, "solhost_synapse")
    env = installation_env(database_url, tmp / "var", SOLHOST_BASE_URL=issuer)
    logs = {name: tmp / f"{name}.log" for name in ("region", "huey", "synapse")}
    with ExitStack() as stack:
        stack.callback(drop_database)
        set_up = subprocess.run(
            [
                SOLHOST,
                "shell",
                "--no-imports",
                "-c",
                SET_UP.format(
                    callback=f"{synapse_url}/_synapse/client/oidc/callback",
                    backchannel=f"{synapse_url}/_synapse/client/oidc/backchannel_logout",
                ),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert set_up.returncode == 0, f"setting up the region failed:\n{set_up.stderr}"
        credentials = json.loads(set_up.stdout)

        serve_region(stack, env, port=region_port, log=logs["region"])
        start_logged(stack, [SOLHOST, "run_huey"], env, logs["huey"])

        config = tmp / "homeserver.yaml"
        config.write_text(json.dumps(homeserver_config(tmp, synapse_port, issuer, credentials)))
        synapse = [str(SYNAPSE_PYTHON), "-m", "synapse.app.homeserver", "-c", str(config)]
        # Makes the signing key, a secret of this run only.
        keys = subprocess.run(
            [*synapse, "--generate-keys"], capture_output=True, text=True, timeout=120
        )
        assert keys.returncode == 0, f"Synapse made no keys:\n{keys.stderr}"
        homeserver = start_logged(stack, synapse, dict(os.environ), logs["synapse"])
        wait_until_up(f"{synapse_url}/health", homeserver, "Synapse", logs["synapse"])
        yield Homeserver(synapse_url, issuer, logs)


def whoami(homeserver: Homeserver, access_token: str) -> requests.Response:
    return requests.get(
        f"{homeserver.url}/_matrix/client/v3/account/whoami",
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=STEP_TIMEOUT,
    )


def test_synapse_signs_a_co_op_admin_in_and_is_told_when_they_sign_out(homeserver):
    browser = requests.Session()
    start = f"{homeserver.url}/_matrix/client/v3/login/sso/redirect?" + urlencode(
        {"redirectUrl": MATRIX_CLIENT}
    )
    authorize = redirected(browser.get(start, allow_redirects=False, timeout=STEP_TIMEOUT))
    assert authorize.startswith(f"{homeserver.region}/"), authorize
    login_page = browser.get(
        redirected(browser.get(authorize, allow_redirects=False, timeout=STEP_TIMEOUT)),
        timeout=STEP_TIMEOUT,
    )
    assert login_page.status_code == 200, login_page.text[:2000]
    back_at_authorize = redirected(
        submit(browser, login_page, login=f"{RESIDENT}@example.org", password=PASSWORD)
    )
    consent = browser.get(back_at_authorize, allow_redirects=False, timeout=STEP_TIMEOUT)
    assert consent.status_code == 200, consent.text[:2000]
    callback = redirected(submit(browser, consent, button="allow"))
    assert callback.startswith(f"{homeserver.url}/_synapse/client/oidc/callback?"), callback

    # Synapse marks its OIDC session cookie Secure whatever its own address. A browser
    # sends it to loopback over http (a secure context); requests has to be told.
    secure_cookies = {cookie.name: cookie.value for cookie in browser.cookies if cookie.secure}
    assert "oidc_session" in secure_cookies, browser.cookies
    answer = browser.get(
        callback, cookies=secure_cookies, allow_redirects=False, timeout=STEP_TIMEOUT
    )
    if answer.status_code not in (302, 303):
        pytest.fail(
            f"Synapse's callback answered {answer.status_code}:\n{answer.text[:2000]}"
            f"{homeserver.log_tails()}",
            pytrace=False,
        )
    to_client = redirected(answer)
    assert to_client.startswith(MATRIX_CLIENT), to_client
    login_token = parse_qs(urlsplit(to_client).query)["loginToken"][0]

    login = requests.post(
        f"{homeserver.url}/_matrix/client/v3/login",
        json={"type": "m.login.token", "token": login_token},
        timeout=STEP_TIMEOUT,
    )
    assert login.status_code == 200, login.text
    access_token = login.json()["access_token"]
    user_id = f"@{RESIDENT}:{SERVER_NAME}"
    me = whoami(homeserver, access_token)
    assert me.status_code == 200, me.text
    assert me.json()["user_id"] == user_id

    # The resident signs out of the region, on the region's own sign-out page.
    sign_out_page = browser.get(f"{homeserver.region}/accounts/logout/", timeout=STEP_TIMEOUT)
    assert sign_out_page.status_code == 200, sign_out_page.text[:2000]
    redirected(submit(browser, sign_out_page))

    deadline = time.monotonic() + LOGOUT_TIMEOUT
    while (me := whoami(homeserver, access_token)).status_code == 200:
        if time.monotonic() > deadline:
            pytest.fail(
                f"Synapse still knows {user_id} {LOGOUT_TIMEOUT} s after they signed out of "
                f"the region{homeserver.log_tails()}",
                pytrace=False,
            )
        time.sleep(0.2)
    assert me.status_code == 401, me.text
    assert me.json()["errcode"] == "M_UNKNOWN_TOKEN", me.text
