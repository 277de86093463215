"""Simultaneous sign-in, authorization and token requests against the region served as in
production (gunicorn, several worker processes and threads, a database of its own): none
answers 500, a code raced by several requests is redeemed exactly once, and a consent
given from several tabs at once is one consent.

The test database is no use here: on SQLite it lives in memory, shared by one connection,
so requests could never contend for the lock the way separate processes do.
"""

import base64
import json
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

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

# One served region for the module's tests (the fixture below), on one worker.
pytestmark = pytest.mark.xdist_group("token_concurrency")

REDIRECT = "https://files.mcc.example.org/callback"
CODES = 12
THREADS = 4

SETUP = """
import datetime, json, secrets, sys
import django
django.setup()
from django.utils import timezone
from oauth2_provider.models import Grant
from solhost.identity import actions
from solhost.test import make_world

world = make_world()
registered = actions.register_client(
    service=world.mcc_service, redirect_uris=[sys.argv[1]], public=False, actor=None
)
actions.approve_client(client=registered.client, steward=None)
codes = [secrets.token_urlsafe(30) for _ in range(int(sys.argv[2]))]
for code in codes:
    Grant.objects.create(
        application=registered.client,
        user=world.rita,
        code=code,
        expires=timezone.now() + datetime.timedelta(minutes=10),
        redirect_uri=sys.argv[1],
        scope="openid offline_access",
    )
print(json.dumps({"client_id": registered.client.client_id, "secret": registered.secret,
                  "codes": codes}))
"""


@dataclass(frozen=True)
class ServedRegion:
    base: str
    credentials: dict
    env: dict[str, str]

    def count(self, model: str, **where) -> int:
        """How many rows of ``model`` ("app.Model") match ``where``, in the served database."""
        script = (
            "import django, json, sys; django.setup(); from django.apps import apps; "
            "print(apps.get_model(sys.argv[1]).objects.filter(**json.loads(sys.argv[2])).count())"
        )
        counted = subprocess.run(
            [sys.executable, "-c", script, model, json.dumps(where)],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return int(counted.stdout.strip().splitlines()[-1])


# Starting a served region costs seconds; each test below uses codes and residents of its own.
@pytest.fixture(scope="module")
def served_region(tmp_path_factory):
    """The region served by ``solhost serve`` from a throw-away database of the kind the
    tests run on; its client's credentials and a batch of unredeemed codes."""
    tmp_path = tmp_path_factory.mktemp("served")
    database_url, drop_database = throwaway_database(tmp_path, "solhost_test_tokens")
    env = installation_env(
        database_url,
        tmp_path,
        DJANGO_SETTINGS_MODULE="solhost.settings",
        SOLHOST_LOG_LEVEL="ERROR",
    )
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, tmp_path / "oidc-keys", ignore_errors=True)
        stack.callback(drop_database)
        subprocess.run([SOLHOST, "migrate", "-v0"], env=env, check=True)
        made = subprocess.run(
            [sys.executable, "-c", SETUP, REDIRECT, str(CODES)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        port = free_port()
        serve_region(stack, env, port=port, log=tmp_path / "server.log", workers=2)
        credentials = json.loads(made.stdout.strip().splitlines()[-1])
        yield ServedRegion(f"http://127.0.0.1:{port}", credentials, env)


def post_token(base: str, credentials: dict, data: dict) -> tuple[int, dict]:
    pair = f"{credentials['client_id']}:{credentials['secret']}".encode()
    request = urllib.request.Request(
        f"{base}/oidc/token/",
        data=urllib.parse.urlencode(data).encode(),
        headers={"Authorization": "Basic " + base64.b64encode(pair).decode()},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = error.read()
        assert error.code < 500, body[:500]
        return error.code, json.loads(body)


def all_at_once(calls) -> list:
    """Run the calls in threads released together; their results in order."""
    results = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index, call):
        start.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_raced_codes_are_redeemed_once_and_refreshes_never_fail(served_region):
    base, credentials = served_region.base, served_region.credentials

    def redeem(code):
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
        return lambda: post_token(base, credentials, data)

    # Half the codes each raced by every thread at once; the other half one per thread.
    raced, single = credentials["codes"][: CODES // 2], credentials["codes"][CODES // 2 :]
    refresh_tokens = []
    for code in raced:
        answers = all_at_once([redeem(code)] * THREADS)
        statuses = sorted(status for status, _ in answers)
        assert statuses == [200] + [400] * (THREADS - 1), answers
        assert all(body["error"] == "invalid_grant" for status, body in answers if status == 400)
    for batch in range(0, len(single), THREADS):
        answers = all_at_once([redeem(code) for code in single[batch : batch + THREADS]])
        assert [status for status, _ in answers] == [200] * len(answers), answers
        refresh_tokens += [body["refresh_token"] for _, body in answers]

    def refresh(token):
        data = {"grant_type": "refresh_token", "refresh_token": token}
        return lambda: post_token(base, credentials, data)

    answers = all_at_once([refresh(token) for token in refresh_tokens[:THREADS]])
    assert [status for status, _ in answers] == [200] * THREADS, answers
    # One refresh token raced: no 500, and at most one new token pair.
    answers = all_at_once([refresh(answers[0][1]["refresh_token"])] * THREADS)
    assert {status for status, _ in answers} <= {200, 400}, answers
    assert len({body.get("refresh_token") for status, body in answers if status == 200}) == 1


def _signed_in(base: str, resident: str) -> requests.Session:
    browser = requests.Session()
    login_page = browser.get(f"{base}/accounts/login/", timeout=STEP_TIMEOUT)
    redirected(submit(browser, login_page, login=f"{resident}@example.org", password=PASSWORD))
    return browser


def _tab(browser: requests.Session) -> requests.Session:
    """Another tab of the same browser: the same cookies, a connection of its own."""
    tab = requests.Session()
    tab.cookies.update(browser.cookies)
    return tab


def _authorize_url(base: str, credentials: dict, state: str) -> str:
    query = urlencode(
        {
            "response_type": "code",
            "client_id": credentials["client_id"],
            "redirect_uri": REDIRECT,
            "scope": "openid profile",
            "state": state,
        }
    )
    return f"{base}/oidc/authorize/?{query}"


def _code_from(answer: requests.Response, state: str) -> str:
    back = urlsplit(redirected(answer))
    query = {name: values[0] for name, values in parse_qs(back.query).items()}
    assert back._replace(query="").geturl() == REDIRECT and query["state"] == state, query
    return query["code"]


def test_residents_signing_in_and_consenting_at_once_each_get_one_consent_and_a_code(
    served_region,
):
    base, credentials = served_region.base, served_region.credentials
    residents = ["alice", "bob", "carol", "rita"]

    browsers = all_at_once([partial(_signed_in, base, who) for who in residents])

    # Each resident agrees from two tabs at once, the first time they sign in to it.
    tabs = {
        f"tab-{who}-{n}": _tab(browser)
        for browser, who in zip(browsers, residents, strict=True)
        for n in range(2)
    }
    pages = [
        tab.get(_authorize_url(base, credentials, state), timeout=STEP_TIMEOUT)
        for state, tab in tabs.items()
    ]
    assert [page.status_code for page in pages] == [200] * len(tabs)
    agreed = all_at_once(
        [
            partial(submit, tab, page, button="allow")
            for tab, page in zip(tabs.values(), pages, strict=True)
        ]
    )
    codes = [_code_from(answer, state) for answer, state in zip(agreed, tabs, strict=True)]

    # Then each browser asks four times at once, as a page checking its session does.
    asks = {
        f"again-{who}-{n}": _tab(browser)
        for browser, who in zip(browsers, residents, strict=True)
        for n in range(4)
    }
    again = all_at_once(
        [
            partial(
                tab.get,
                _authorize_url(base, credentials, state),
                allow_redirects=False,
                timeout=STEP_TIMEOUT,
            )
            for state, tab in asks.items()
        ]
    )
    codes += [_code_from(answer, state) for answer, state in zip(again, asks, strict=True)]

    assert len(set(codes)) == len(codes) == len(tabs) + len(asks)
    for resident in residents:
        assert served_region.count("identity.Consent", user__username=resident) == 1
    redeem = {"grant_type": "authorization_code", "redirect_uri": REDIRECT}
    redeemed = all_at_once(
        [partial(post_token, base, credentials, {**redeem, "code": code}) for code in codes]
    )
    assert [status for status, _ in redeemed] == [200] * len(codes), redeemed
