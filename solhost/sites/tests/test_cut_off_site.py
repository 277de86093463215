"""A site cut off from the primary keeps signing residents in, and loses nothing.

For real, as issue 19 asks: a primary PostgreSQL and a hot standby of it (``initdb``,
``pg_basebackup -R``), a site store, all on free ports under a temporary directory; the
region migrated and loaded at the primary; a site served by gunicorn (``solhost serve``)
against the standby and its store. Then the primary is **stopped**, and at the site:

- a resident signs in with their password through a full OpenID Connect code flow driven
  by a real relying party (Authlib), the ID token verifies against the site's JWKS,
  userinfo and introspection answer, and the sign-in is recorded as usage;
- the directory, service and partner pages and the resident's own pages answer, and so
  does every page the resident, a partner's admin and the steward reach by following links;
- a write that needs the primary gets the clear page (503), never a 500: every kind of
  form those three reach is sent, and what the site does on its own (signing out, ending a
  session, disconnecting a service, an export) is all the store records.

The primary is started again; the site forwards (twice: the second changes nothing);
every event arrives exactly once; the primary's next close counts the day of use; and
cutting the site out drops its key from the region's JWKS and refuses its batches.

One module-wide set-up (the clusters, one migration, two servers), so `make test-sites`
runs it alone in about a minute. Without the PostgreSQL binaries the test is skipped on
a developer's machine and fails in CI (``CI`` set): a skipped test there would hide that
the sites were never tested.
"""

import contextlib
import datetime
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import psycopg
import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from solhost.identity.tests.served import (
    STEP_TIMEOUT,
    free_port,
    installation_env,
    redirected,
    submit,
)
from solhost.sites.tests import clusters
from solhost.test import PASSWORD
from solhost.tests.crawling import (
    Crawl,
    crawl,
    over_http,
    posting_over_http,
    send_every_form,
)

# Its clusters are its own: the same test whatever database the suite runs on.
pytestmark = pytest.mark.own_database

SOLHOST = str(Path(sys.executable).with_name("solhost"))
CALLBACK = "http://127.0.0.1:9/callback"
RESIDENT = "rita@example.org"
DATABASE = "region"
SITE, PRIMARY_SITE = "hill", "main"
# What a site records of what it does on its own, the link down (docs/sites.md).
SITE_ACTIONS = {
    "identity.login",
    "identity.logout",
    "identity.session.end",
    "identity.consent.withdraw",
    "identity.token.revoke",
    "residents.export.download",
}
NEEDS_PRIMARY = (
    "The region's main site is out of reach; this will work again when the link is back."
)

SET_UP = f"""
import json
from io import StringIO
from django.core.management import call_command
from django.utils import timezone
from solhost.contributions.actions import record_payment, reference_for_resident
from solhost.identity.subjects import pairwise_key_file, subject_for
from solhost.test import make_world
call_command("migrate", verbosity=0)
world = make_world()
record_payment(
    received_on=timezone.localdate(), reference=reference_for_resident(world.rita).code,
    amount_cents=1200, token="sites-test", actor=world.sam,
)
out = StringIO()
call_command("oidc-client", "add", "--service", "mcc-files", "--redirect-uri", "{CALLBACK}",
             "--json", stdout=out)
credentials = json.loads(out.getvalue())
from solhost.identity.models import ServiceClient
client = ServiceClient.objects.get(client_id=credentials["client_id"])
subject_for(world.rita, client)  # makes the region's pairwise secret, which sites share
# The primary is a site too: the steward registers its public keys like any site's.
import tempfile
from solhost.sites.keys import own_public_keys
with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as keys:
    json.dump(own_public_keys(), keys)
call_command("sites", "add", "{PRIMARY_SITE}", "--keys", keys.name, stdout=StringIO())
print(json.dumps({{
    **credentials, "client_pk": client.pk, "rita": world.rita.pk,
    "pairwise_key": str(pairwise_key_file()),
}}))
"""


# At the site: its store's tables, then its public keys for the steward to register.
SITE_SET_UP = """
from django.core.management import call_command
call_command("sites", "prepare")
call_command("sites", "keys")
"""


@dataclass
class Region:
    """The clusters and servers of the test, and what the steps learn on the way."""

    runner: clusters.Runner
    primary: clusters.Cluster
    standby: clusters.Cluster
    store: clusters.Cluster
    primary_env: dict
    site_env: dict
    issuer: str
    primary_url: str
    credentials: dict
    logs: Path
    servers: dict = field(default_factory=dict)

    def run(self, env: dict, *args: str, stdin: str | None = None, check: bool = True):
        done = subprocess.run(
            [SOLHOST, *args],
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check:
            assert done.returncode == 0, f"solhost {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done

    def serve(self, name: str, env: dict, port: int) -> None:
        log = self.logs / f"{name}.log"
        with log.open("w") as out:
            self.servers[name] = subprocess.Popen(
                [SOLHOST, "serve", "--port", str(port), "--workers", "1", "--threads", "4"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        url = f"http://127.0.0.1:{port}/health"

        def answers() -> bool:
            if self.servers[name].poll() is not None:
                raise AssertionError(f"{name} server exited:\n{log.read_text()[-3000:]}")
            try:
                return requests.get(url, timeout=5).status_code < 500
            except requests.ConnectionError:
                return False

        clusters.wait_until(answers, f"the {name} server answering")

    def stop_servers(self) -> None:
        for server in self.servers.values():
            if server.poll() is None:
                server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()

    def logs_tail(self) -> str:
        parts = [
            f"--- {path.name} ---\n{path.read_text(errors='replace')[-2500:]}"
            for path in sorted(self.logs.glob("*.log"))
        ]
        return "\n".join(parts)

    def at_primary(self, sql: str, params=()) -> list[tuple]:
        with self.primary.connect(DATABASE, autocommit=True) as connection:
            return connection.execute(sql, params).fetchall()

    def at_store(self, sql: str, params=()) -> list[tuple]:
        with self.store.connect(DATABASE, autocommit=True) as connection:
            return connection.execute(sql, params).fetchall()


def _binaries() -> Path:
    try:
        return clusters.postgres_bin()
    except clusters.BinariesMissing as missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must test the sites for real: {missing}", pytrace=False)
        pytest.skip(str(missing))


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    bin_dir = _binaries()
    tmp = tmp_path_factory.mktemp("sites")
    runner = clusters.Runner(bin_dir)
    region = None
    try:
        primary = clusters.new_cluster(runner, "primary")
        store = clusters.new_cluster(runner, "store")
        primary.start()
        store.start()
        for cluster in (primary, store):
            with cluster.connect(autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{DATABASE}"')

        site_port, primary_port, standby_port = free_port(), free_port(), free_port()
        issuer = f"http://127.0.0.1:{site_port}"
        primary_url = f"http://127.0.0.1:{primary_port}"
        shared = {"SOLHOST_BASE_URL": issuer, "SOLHOST_SECRET_KEY": secrets.token_urlsafe(50)}
        primary_env = installation_env(
            primary.url(DATABASE), tmp / "primary-var", SOLHOST_SITE=PRIMARY_SITE, **shared
        )
        site_var = tmp / "site-var"
        site_env = installation_env(
            store.url(DATABASE),
            site_var,
            SOLHOST_SITE=SITE,
            SOLHOST_SITE_REPLICA_URL=clusters.Cluster(runner, "standby", standby_port).url(
                DATABASE
            ),
            SOLHOST_SITE_STORE_URL=store.url(DATABASE),
            SOLHOST_SITE_PRIMARY_URL=primary_url,
            # While the link is up, the site makes the region's writes at the primary.
            SOLHOST_SITE_PRIMARY_DATABASE_URL=primary.url(DATABASE),
            **shared,
        )
        # The site's store is made while the primary is set up: neither needs the other.
        site_ready = subprocess.Popen(
            [SOLHOST, "shell", "--no-imports", "-c", SITE_SET_UP],
            env=site_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        set_up = subprocess.run(
            [SOLHOST, "shell", "--no-imports", "-c", SET_UP],
            env=primary_env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        site_out, site_err = site_ready.communicate(timeout=600)
        assert set_up.returncode == 0, f"setting up the region failed:\n{set_up.stderr}"
        assert site_ready.returncode == 0, f"setting up the site failed:\n{site_err}"
        credentials = json.loads(set_up.stdout.strip().splitlines()[-1])

        standby = clusters.standby_of(primary, "standby", port=standby_port)
        standby.start()
        # The site has its own key ring; the region's pairwise secret goes beside it.
        pairwise = Path(credentials["pairwise_key"])
        shutil.copy2(pairwise, site_var / "oidc-keys" / pairwise.name)
        logs = tmp / "logs"
        logs.mkdir()
        region = Region(
            runner,
            primary,
            standby,
            store,
            primary_env,
            site_env,
            issuer,
            primary_url,
            credentials,
            logs,
        )
        # The steward registers both sites' public keys at the primary; they replicate.
        # The steward registers the site's public keys at the primary; they replicate.
        keys = site_out[site_out.index("{") :]
        region.run(primary_env, "sites", "add", SITE, "--keys", "-", stdin=keys)
        clusters.caught_up(primary, standby, DATABASE)
        region.serve("site", site_env, site_port)
        yield region
    finally:
        if region is not None:
            region.stop_servers()
        for name in ("primary", "standby", "store"):
            cluster = clusters.Cluster(runner, name, 0)
            if cluster.running():
                with contextlib.suppress(AssertionError):
                    cluster.stop()
        runner.remove()


def _sign_in_through_the_code_flow(region: Region) -> dict:
    """A relying party (Authlib) signs the resident in at the site; what it got back."""
    credentials = region.credentials
    relying_party = OAuth2Session(
        credentials["client_id"],
        credentials["client_secret"],
        scope="openid profile email offline_access",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    discovery = relying_party.get(
        f"{region.issuer}/.well-known/openid-configuration",
        withhold_token=True,
        timeout=STEP_TIMEOUT,
    ).json()
    assert discovery["issuer"] == region.issuer
    nonce, verifier = secrets.token_urlsafe(16), secrets.token_urlsafe(48)
    authorize_url, _state = relying_party.create_authorization_url(
        discovery["authorization_endpoint"], nonce=nonce, code_verifier=verifier
    )

    browser = requests.Session()
    login_page = browser.get(redirected(browser.get(authorize_url, allow_redirects=False)))
    assert login_page.status_code == 200, login_page.text[:2000]
    back_at_authorize = redirected(submit(browser, login_page, login=RESIDENT, password=PASSWORD))
    consent = browser.get(back_at_authorize, allow_redirects=False, timeout=STEP_TIMEOUT)
    assert consent.status_code == 200, consent.text[:2000]
    assert "Sign in to MCC Files?" in consent.text
    callback = redirected(submit(browser, consent, button="allow"))
    assert callback.startswith(f"{CALLBACK}?"), callback

    token = relying_party.fetch_token(
        discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    keys = requests.get(discovery["jwks_uri"], timeout=STEP_TIMEOUT).json()
    id_token = jwt.decode(token["id_token"], KeySet.import_key_set(keys))
    claims = id_token.claims
    assert claims["iss"] == region.issuer and claims["aud"] == credentials["client_id"]
    assert claims["nonce"] == nonce
    assert abs(claims["auth_time"] - time.time()) < 300, claims
    userinfo = relying_party.get(discovery["userinfo_endpoint"], timeout=STEP_TIMEOUT).json()
    assert userinfo["sub"] == claims["sub"] and userinfo["email"] == RESIDENT
    assert discovery["introspection_endpoint"] == f"{region.issuer}/oidc/introspect/"
    introspected = _introspected_at_the_site(region, token["access_token"])
    assert introspected["active"] is True and introspected["sub"] == claims["sub"], introspected
    return {
        "browser": browser,
        "kid": id_token.header["kid"],
        "jwks": keys,
        "sub": claims["sub"],
        "id_token": token["id_token"],
        "access_token": token["access_token"],
    }


def _introspected_at_the_site(region: Region, access_token: str) -> dict:
    """What the site's introspection says of ``access_token``, asked by its service."""
    credentials = region.credentials
    return requests.post(
        f"{region.issuer}/oidc/introspect/",
        data={"token": access_token},
        auth=(credentials["client_id"], credentials["client_secret"]),
        timeout=STEP_TIMEOUT,
    ).json()


def _signed_in_at_the_site(region: Region, email: str, *, at: str = "") -> requests.Session:
    """A browser signed in as ``email`` at the site (or at the server at ``at``)."""
    browser = requests.Session()
    login_page = browser.get(f"{at or region.issuer}/accounts/login/", timeout=STEP_TIMEOUT)
    redirected(submit(browser, login_page, login=email, password=PASSWORD))
    return browser


def _every_form_sent(
    region: Region, session: requests.Session, email: str, found: Crawl
) -> list[str]:
    """Each kind of form ``found`` on the way, sent once as its page fills it, signing out
    last: what went wrong. A form waiting for the primary answers the clear page; one the
    site does on its own (signing out, ending a session, disconnecting a service) or one
    refused for what its fields hold answers as it would anywhere; none answers an error."""

    def sign_in_again() -> None:
        login_page = session.get(f"{region.issuer}/accounts/login/", timeout=STEP_TIMEOUT)
        redirected(submit(session, login_page, login=email, password=PASSWORD))

    sent = send_every_form(
        found,
        get=over_http(session, region.issuer),
        post=posting_over_http(session, region.issuer),
        sign_in_again=sign_in_again,
    )
    assert len(sent) > 10, sent
    wrong = []
    for each in sent:
        status, body = each.answer.status, each.answer.body
        if status == 503 and NEEDS_PRIMARY not in body:
            wrong.append(f"as {email}: {each.action} {each.button} answered 503 without why")
        elif status == 403 and "/admin/" in each.action and "CSRF" not in body:
            pass  # the admin's read-only record (an audit event) is a form no one may send
        elif status not in (200, 302, 303, 400, 503):
            wrong.append(f"as {email}: {each.action} {each.button} answered {status}")
    return wrong


def _write_needing_the_primary(region: Region, browser: requests.Session) -> requests.Response:
    page = browser.get(f"{region.issuer}/contribute/", timeout=STEP_TIMEOUT)
    assert page.status_code == 200, page.text[:2000]
    tier = re.search(r'name="tier" value="(\d+)"', page.text)
    assert tier is not None, page.text[:2000]
    return submit(browser, page, tier=tier.group(1))


def _kids(url: str) -> set[str]:
    return {
        key["kid"]
        for key in requests.get(f"{url}/.well-known/jwks.json", timeout=STEP_TIMEOUT).json()["keys"]
    }


def test_a_site_cut_off_from_the_primary_signs_residents_in_and_loses_nothing(region):
    try:
        _the_story(region)
    except Exception as failure:
        raise AssertionError(f"{failure}\n{region.logs_tail()}") from failure


def _the_story(region: Region) -> None:
    site = region.issuer
    site_kids = _kids(site)

    # --- The link is down: the primary is stopped. ---
    region.primary.stop()
    with pytest.raises(psycopg.OperationalError):
        region.primary.connect(DATABASE)

    signed_in = _sign_in_through_the_code_flow(region)
    browser = signed_in["browser"]
    # The site signed with its own key; the region's JWKS at the site lists the primary's too.
    assert signed_in["kid"] in site_kids
    assert len(site_kids) >= 2, site_kids

    # The directory, a service, a partner and the resident's own pages, all from the standby.
    for path, words in (
        ("/", "Merri Creek Computing"),
        ("/services/", "MCC Files"),
        ("/services/mcc-files/", "MCC Files"),
        ("/partners/mcc/", "Merri Creek Computing"),
        ("/accounts/", "rita"),
        ("/accounts/connected/", "MCC Files"),
    ):
        page = browser.get(f"{site}{path}", timeout=STEP_TIMEOUT)
        assert page.status_code == 200, (path, page.status_code, page.text[:2000])
        assert words in page.text, (path, page.text[:2000])

    # Every page linked from the front page opens at the site, for the resident, a
    # partner's admin and the steward: reading never needs the primary, not even a form
    # whose change will have to wait for it.
    steward = _signed_in_at_the_site(region, "sam@example.org")
    partner_admin = _signed_in_at_the_site(region, "alice@example.org")
    signed_in_as = {
        RESIDENT: browser,
        "alice@example.org": partner_admin,
        "sam@example.org": steward,
    }
    crawled = {}
    for email, session in signed_in_as.items():
        found = crawl(over_http(session, site), host=urlsplit(site).netloc)
        assert not found.wrong, "\n".join(found.wrong)
        assert len(found.pages) > 20, found.pages
        crawled[email] = found
    # Every kind of form they reach, sent: what the site does alone, it does; a change of
    # the region's data is refused with the clear page and leaves nothing half-done.
    audited_before = len(region.at_store("SELECT id FROM core_auditevent"))
    sent_wrong = [
        problem
        for email, found in crawled.items()
        for problem in _every_form_sent(region, signed_in_as[email], email, found)
    ]
    assert not sent_wrong, "\n".join(sent_wrong)
    recorded = region.at_store("SELECT action FROM core_auditevent ORDER BY id")[audited_before:]
    assert {action for (action,) in recorded} <= SITE_ACTIONS, recorded
    # So does every read of the public API: the directory, the region, service status.
    described = requests.get(f"{site}/api/v1/openapi.json", timeout=STEP_TIMEOUT).json()
    public_reads = [
        path
        for path, operations in described["paths"].items()
        if "get" in operations and "{" not in path and not operations["get"].get("security")
    ]
    assert len(public_reads) > 3, public_reads
    for path in public_reads:
        answer = requests.get(f"{site}{path}", timeout=STEP_TIMEOUT)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:500])

    refused = _write_needing_the_primary(region, browser)
    assert refused.status_code == 503, (refused.status_code, refused.text[:2000])
    assert NEEDS_PRIMARY in refused.text
    assert refused.headers["Retry-After"]
    assert '<link rel="stylesheet"' in refused.text  # the region's styled page
    # Still signed in at the site after the refusal.
    assert (
        browser.get(f"{site}/accounts/", allow_redirects=False, timeout=STEP_TIMEOUT).status_code
        == 200
    )

    # The steward sees at the site what waits to be forwarded.
    page = steward.get(f"{site}/steward/sites/", timeout=STEP_TIMEOUT)
    assert page.status_code == 200, page.text[:2000]
    assert "not reached the primary yet" in page.text and SITE in page.text

    # What the site recorded waits in its store; the store holds no password hash at all.
    usage = region.at_store("SELECT id, key FROM metering_usageevent ORDER BY id")
    today = datetime.datetime.now(ZoneInfo("Australia/Melbourne")).date()
    assert len(usage) == 1 and usage[0][1].startswith("signin:"), usage
    assert usage[0][1].endswith(f":mcc-files:{today.isoformat()}"), usage
    audit = region.at_store("SELECT id, action FROM core_auditevent ORDER BY id")
    actions = [action for _id, action in audit]
    assert "identity.login" in actions and "identity.token.issue" in actions, actions
    assert region.at_store(
        "SELECT count(*) FROM information_schema.columns "
        "WHERE table_schema = 'public' AND column_name = 'password'"
    ) == [(0,)]
    assert region.at_store(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'identity_user'"
    ) == [(0,)]

    # --- The link is back. ---
    region.primary.start()
    clusters.caught_up(region.primary, region.standby, DATABASE)
    region.serve("primary", region.primary_env, int(region.primary_url.rsplit(":", 1)[1]))

    # The write refused while cut off now works at the site: it is made at the primary.
    made = _write_needing_the_primary(region, browser)
    assert made.status_code == 302, (made.status_code, made.text[:2000])
    assert region.at_primary(
        "SELECT count(*) FROM contributions_contributionchoice WHERE resident_id = %s",
        [region.credentials["rita"]],
    ) == [(1,)]
    audit = region.at_store("SELECT id, action FROM core_auditevent ORDER BY id")
    assert audit[-1][1] == "contributions.choose", audit

    forwarded = region.run(region.site_env, "sites", "forward").stdout
    assert f"Forwarded {len(usage) + len(audit)} events" in forwarded, forwarded
    again = region.run(region.site_env, "sites", "forward").stdout
    assert "Forwarded 0 events" in again, again
    # Nothing is left waiting, and the steward can see it.
    assert "Still waiting: 0 audit events, 0 usage events." in again, again

    page = steward.get(f"{site}/steward/sites/", timeout=STEP_TIMEOUT)
    assert "every event recorded here has reached the primary" in page.text, page.text[:3000]

    # Every event arrived exactly once.
    receipts = region.at_primary(
        "SELECT r.kind, r.local_id, r.outcome FROM sites_forwardedevent r "
        "JOIN sites_site s ON s.id = r.site_id WHERE s.name = %s ORDER BY r.kind, r.local_id",
        [SITE],
    )
    assert sorted((kind, local_id) for kind, local_id, _ in receipts) == sorted(
        [("audit", i) for i, _ in audit] + [("usage", i) for i, _ in usage]
    )
    assert {outcome for *_, outcome in receipts} == {"stored"}, receipts
    for local_id, action in audit:
        copies = region.at_primary(
            "SELECT count(*) FROM core_auditevent e JOIN sites_forwardedevent r "
            "ON r.audit_event_id = e.id WHERE r.kind = 'audit' AND r.local_id = %s AND e.action = %s",
            [local_id, action],
        )
        assert copies == [(1,)], (local_id, action, copies)
    for _id, key in usage:
        assert region.at_primary(
            "SELECT count(*) FROM metering_usageevent WHERE key = %s", [key]
        ) == [(1,)], key
    assert region.at_primary(
        "SELECT count(*) FROM metering_activeday WHERE resident_id = %s",
        [region.credentials["rita"]],
    ) == [(1,)]

    # The primary's next close counts the day of use at the site.
    closed = region.run(
        region.primary_env,
        "shell",
        "--no-imports",
        "-c",
        _CLOSE_THIS_MONTH,
    ).stdout
    figures = json.loads(closed.strip().splitlines()[-1])
    assert figures["mcc_active_days"] == 1, figures
    assert figures["rita_active_days"] == {"mcc-files": 1}, figures
    assert figures["mcc_gross_cents"] > 0, figures

    # The primary's JWKS lists the site's key too: a token from the site verifies there.
    assert signed_in["kid"] in _kids(region.primary_url)

    # A key rotation at the site: its running server publishes the next key at once, the
    # next forward announces it, signed with the key that signs now, and the primary
    # registers it, so the primary's JWKS lists it a day before its first token.
    region.run(region.site_env, "oidc-keys", "rotate")
    (next_kid,) = _kids(site) - site_kids
    assert next_kid not in _kids(region.primary_url)
    region.run(region.site_env, "sites", "forward")
    assert next_kid in _kids(region.primary_url)
    assert region.at_primary(
        "SELECT note FROM core_auditevent WHERE action = 'sites.keys' ORDER BY id DESC LIMIT 1"
    ) == [(f"announced by the site, signed with its registered key {signed_in['kid']}",)]

    # The resident disconnected the service at the site while it was cut off (one of the
    # forms sent there): the primary recorded it, with the site's name, for every site.
    client_pk = region.credentials["client_pk"]
    assert region.at_primary(
        "SELECT site, client_id FROM identity_accessend WHERE reason = 'disconnect'"
    ) == [(SITE, client_pk)]
    # The other way round: signed in to the service at the site again, the resident
    # disconnects it at the primary, and the site ends what it issued.
    again = _sign_in_through_the_code_flow(region)
    assert _introspected_at_the_site(region, again["access_token"])["active"]
    at_primary = _signed_in_at_the_site(region, RESIDENT, at=region.primary_url)
    disconnected = at_primary.post(
        f"{region.primary_url}/accounts/connected/services/{client_pk}/disconnect/",
        data={"csrfmiddlewaretoken": at_primary.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=STEP_TIMEOUT,
    )
    assert disconnected.status_code == 302, disconnected.text[:2000]
    clusters.caught_up(region.primary, region.standby, DATABASE)
    ended = region.run(region.site_env, "sites", "end-access").stdout
    assert "Ended access as 1 ends made at other sites asked." in ended, ended
    assert not _introspected_at_the_site(region, again["access_token"])["active"]
    revoked = region.at_store("SELECT note FROM core_auditevent ORDER BY id DESC LIMIT 1")
    assert revoked == [("1 tokens revoked: the resident disconnected the service at main",)]

    # The co-op removes the client at the site, which makes the region's writes at the
    # primary: refused while the primary owes the service a logout token, which would go
    # with the client's row there unsent.
    region.run(
        region.primary_env,
        "shell",
        "--no-imports",
        "-c",
        _OWE_A_LOGOUT_TOKEN.format(client=client_pk, rita=region.credentials["rita"]),
    )
    removal = partner_admin.post(
        f"{site}/manage/mcc/services/mcc-files/clients/{client_pk}/remove/",
        data={"confirm": "yes", "csrfmiddlewaretoken": partner_admin.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=STEP_TIMEOUT,
    )
    assert removal.status_code == 400, (removal.status_code, removal.text[:2000])
    assert "is still owed 1 logout tokens" in removal.text
    assert region.at_primary(
        "SELECT count(*) FROM identity_serviceclient WHERE id = %s", [client_pk]
    ) == [(1,)]

    _the_store_comes_back_from_a_backup(region)

    # Cutting the site out: its key leaves the region's JWKS, its batches are refused.
    removed = region.run(region.primary_env, "sites", "remove", SITE).stdout
    assert "cut out" in removed, removed
    assert signed_in["kid"] not in _kids(region.primary_url)
    # As if the site had lost its marks: it sends its events again, and is refused.
    with region.store.connect(DATABASE, autocommit=True) as connection:
        connection.execute("DELETE FROM sites_forwarded WHERE kind = 'usage'")
    refused_forward = region.run(region.site_env, "sites", "forward", check=False)
    assert refused_forward.returncode != 0
    assert "403" in refused_forward.stderr and "no site of the region" in refused_forward.stderr


def _the_store_comes_back_from_a_backup(region: Region) -> None:
    """The site's store is lost and restored from a backup taken before its last
    forward, and no one tells the site: the primary finds it, nothing is lost or taken for
    another event, and a token revoked since the backup stays revoked."""
    signed_in = _sign_in_through_the_code_flow(region)
    region.run(region.site_env, "sites", "forward")
    backup = region.store.dump(DATABASE, "store-last-night")

    # After the backup: the service revokes its token (RFC 7009), the resident signs in
    # in another browser, and the site forwards what that recorded.
    credentials = region.credentials
    revoked = requests.post(
        f"{region.issuer}/oidc/revoke/",
        data={"token": signed_in["access_token"]},
        auth=(credentials["client_id"], credentials["client_secret"]),
        timeout=STEP_TIMEOUT,
    )
    assert revoked.status_code == 200, revoked.text[:2000]
    _signed_in_at_the_site(region, RESIDENT)
    lost_store = region.at_store("SELECT id, action FROM core_auditevent ORDER BY id")
    region.run(region.site_env, "sites", "forward")

    # The store's disk dies; the operator restores last night's backup.
    region.store.restore(DATABASE, backup)
    # The revoked token came back with it.
    assert _introspected_at_the_site(region, signed_in["access_token"])["active"]
    # The site goes on: a sign-in numbers events as the lost store did after the backup,
    # and so does one after it.
    first_since = _signed_in_at_the_site(region, RESIDENT)
    since = _signed_in_at_the_site(region, RESIDENT)
    restored = region.at_store("SELECT id, action FROM core_auditevent ORDER BY id")
    assert restored[-1][0] <= lost_store[-1][0], (restored, lost_store)

    forwarded = region.run(region.site_env, "sites", "forward").stdout
    assert "This store was found restored from a backup" in forwarded, forwarded
    assert "Still waiting: 0 audit events, 0 usage events." in forwarded, forwarded
    assert not _introspected_at_the_site(region, signed_in["access_token"])["active"]
    # What was issued until the first event numbered again ended (that event's own
    # sign-in too: its session begins a moment before the event); what came after stays.
    for browser, answer in ((signed_in["browser"], 302), (first_since, 302), (since, 200)):
        page = browser.get(f"{region.issuer}/accounts/", allow_redirects=False)
        assert page.status_code == answer, (answer, page.status_code)

    # Every event of both stores is at the primary once: the lost store's under its name,
    # the restored store's own since, under a new name from the first number it reused.
    names = region.at_store(
        "SELECT name::text, kind, first_local_id FROM sites_storeidentity ORDER BY id"
    )
    assert [kind for _, kind, _ in names] == ["", "audit"], names
    first_name, (new_name, _, reused_from) = names[0][0], names[1]
    lost_since = [(i, a) for i, a in lost_store if i >= reused_from]
    now = region.at_store("SELECT id, action FROM core_auditevent ORDER BY id")
    own_since = [(i, a) for i, a in now if i >= reused_from]
    for store, events in ((first_name, lost_since), (new_name, own_since)):
        received = region.at_primary(
            "SELECT r.local_id, e.action FROM sites_forwardedevent r "
            "JOIN core_auditevent e ON e.id = r.audit_event_id "
            "WHERE r.store = %s AND r.kind = 'audit' AND r.local_id >= %s ORDER BY r.local_id",
            [store, reused_from],
        )
        assert received == events, (store, received, events)
    assert "sites.store.restore" in {action for _, action in own_since}
    status = region.run(region.site_env, "sites", "status").stdout
    assert "Store restored (found" in status and "finished" in status, status


_OWE_A_LOGOUT_TOKEN = """
from solhost.identity.models import LogoutDelivery
LogoutDelivery.objects.create(client_id={client}, user_id={rita}, subject="owed", reason="logout")
"""

_CLOSE_THIS_MONTH = """
import datetime, json
from django.utils import timezone
from solhost.distribution.actions import close_period
from solhost.distribution.models import PartnerStatement
from solhost.metering.periods import period_of
today = timezone.localdate()
close, _ = close_period(period=period_of(today), actor=None, today=today + datetime.timedelta(days=62))
statement = PartnerStatement.objects.get(close=close, partner__slug="mcc")
rita = next(m for m in close.scenario["members"] if m["active_days"])
print(json.dumps({
    "mcc_active_days": statement.active_days,
    "mcc_gross_cents": statement.gross_cents,
    "rita_active_days": rita["active_days"],
}))
"""
