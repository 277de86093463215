"""Back-Channel Logout 1.0: when a resident's session ends, each service that asked is sent
a signed logout token, over real HTTP, until it acknowledges."""

import datetime
import json
import re
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from jwcrypto import jwk, jwt

from solhost.core.models import AuditEvent
from solhost.identity import actions, backchannel, tasks
from solhost.identity.models import (
    LogoutDelivery,
    ServiceClient,
    SignedInSession,
    logout_uri_problem,
)
from solhost.identity.subjects import sid_for, subject_for
from solhost.identity.tasks import deliver_logout_token, retry_logout_deliveries
from solhost.identity.tests.oidc import (
    REDIRECT,
    SCOPES,
    introspect,
    make_client,
    refresh,
    sign_in_to,
    verified_claims,
)
from solhost.identity.tests.served import on_loopback
from solhost.test import PASSWORD


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.server.received.append(parse_qs(body))
        status = self.server.answers.pop(0) if self.server.answers else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    """A service's back-channel logout endpoint on this machine's loopback."""
    with on_loopback(_Receiver) as server:
        server.received, server.answers = [], []
        server.uri = f"http://127.0.0.1:{server.server_port}/backchannel-logout"
        yield server


@pytest.fixture(autouse=True)
def _issuer(settings):
    # The test client's host, which the ID tokens name as issuer.
    settings.BASE_URL = "http://testserver"


def client_posting_to(service, uri, *, session_required=True):
    registered = actions.register_client(
        service=service,
        redirect_uris=[REDIRECT],
        public=False,
        actor=None,
        backchannel_logout_uri=uri,
        backchannel_logout_session_required=session_required,
    )
    actions.approve_client(client=registered.client, steward=None)
    return registered


def log_in(email: str) -> Client:
    browser = Client()
    browser.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    return browser


def signed_in_on_a_laptop(registered) -> tuple[Client, SignedInSession]:
    """Rita's laptop, signed in to the region and through it to the service: the browser
    and its session."""
    laptop = log_in("rita@example.org")
    sign_in_to(laptop, registered)
    return laptop, SignedInSession.objects.get(session_key=laptop.session.session_key)


def refreshed(registered, refresh_token: str, **params) -> dict:
    return refresh(Client(), registered, refresh_token, **params).json()


def checked_logout_token(token: str, **check_claims) -> jwt.JWT:
    """The logout token, its signature checked against the JWKS."""
    keys = jwk.JWKSet.from_json(Client().get(reverse("oauth2_provider:jwks-info")).content)
    return jwt.JWT(jwt=token, key=keys, check_claims={"exp": None, **check_claims})


def logout_claims(receiver, registered) -> tuple[dict, dict]:
    """The one logout token received: its header and its claims."""
    assert len(receiver.received) == 1, receiver.received
    (token,) = receiver.received[0]["logout_token"]
    checked = checked_logout_token(token, aud=registered.client.client_id)
    return json.loads(checked.header), json.loads(checked.claims)


def audience_and_sid(received: dict) -> tuple[str, str | None]:
    (token,) = received["logout_token"]
    claims = json.loads(checked_logout_token(token).claims)
    return claims["aud"], claims.get("sid")


def test_signing_out_of_the_region_sends_a_signed_logout_token(
    world, receiver, django_capture_on_commit_callbacks
):
    nextcloud = client_posting_to(world.mcc_service, receiver.uri)
    rita = log_in("rita@example.org")
    id_token = sign_in_to(rita, nextcloud)["id_token"]
    session = SignedInSession.objects.get(user=world.rita)

    with django_capture_on_commit_callbacks(execute=True):
        rita.post(reverse("account_logout"))

    header, claims = logout_claims(receiver, nextcloud)
    issuer = Client().get("/.well-known/openid-configuration").json()["issuer"]
    assert header["alg"] == "RS256" and header["typ"] == "logout+jwt"
    assert claims["iss"] == issuer
    assert claims["aud"] == nextcloud.client.client_id
    assert claims["sub"] == verified_claims(Client(), id_token, nextcloud.client.client_id)["sub"]
    assert claims["sid"] == sid_for(session.sid, nextcloud.client)
    assert claims["events"] == {"http://schemas.openid.net/event/backchannel-logout": {}}
    assert claims["jti"] and 0 < claims["exp"] - claims["iat"] <= 120
    assert "nonce" not in claims
    delivery = LogoutDelivery.objects.get()
    assert delivery.delivered_at and delivery.attempts == 1
    assert delivery.reason == LogoutDelivery.Reason.LOGOUT
    for action in ("identity.backchannel_logout.queue", "identity.backchannel_logout.deliver"):
        assert AuditEvent.objects.filter(action=action, object_id=str(delivery.pk)).exists()


def test_a_service_that_does_not_ask_for_sid_is_told_the_resident_alone(
    world, receiver, django_capture_on_commit_callbacks
):
    nextcloud = client_posting_to(world.mcc_service, receiver.uri, session_required=False)
    rita = log_in("rita@example.org")
    sign_in_to(rita, nextcloud)

    with django_capture_on_commit_callbacks(execute=True):
        rita.post(reverse("account_logout"))

    _header, claims = logout_claims(receiver, nextcloud)
    assert "sid" not in claims
    assert claims["sub"] == subject_for(world.rita, nextcloud.client)


def test_ending_a_session_tells_and_signs_out_only_the_services_it_signed_in_to(
    world, receiver, django_capture_on_commit_callbacks
):
    nextcloud = client_posting_to(world.mcc_service, receiver.uri)
    chat = client_posting_to(world.cct_service, receiver.uri + "/chat")
    laptop = log_in("rita@example.org")
    files = sign_in_to(laptop, nextcloud)
    phone = log_in("rita@example.org")
    talk = sign_in_to(phone, chat)
    laptops = SignedInSession.objects.get(session_key=laptop.session.session_key)

    with django_capture_on_commit_callbacks(execute=True):
        phone.post(reverse("identity:end_session", args=[laptops.pk]))

    # Chat holds Rita's consent and live tokens, but from the phone's session: not told.
    _header, claims = logout_claims(receiver, nextcloud)
    assert claims["sid"] == sid_for(laptops.sid, nextcloud.client)
    delivery = LogoutDelivery.objects.get()
    assert delivery.client == nextcloud.client
    assert delivery.reason == LogoutDelivery.Reason.SESSION_END
    # Issued in the ended session without offline_access: they end with it (§2.7).
    assert introspect(Client(), nextcloud, files["access_token"])["active"] is False
    assert introspect(Client(), chat, talk["access_token"])["active"] is True
    revoked = AuditEvent.objects.get(action="identity.token.revoke")
    assert revoked.object_id == str(nextcloud.client.pk)
    assert revoked.note.startswith("1 tokens revoked: the session they were issued in ended")


def test_tokens_with_offline_access_outlive_the_session_they_were_issued_in(
    world, receiver, django_capture_on_commit_callbacks
):
    nextcloud = client_posting_to(world.mcc_service, receiver.uri)
    chat = client_posting_to(world.cct_service, receiver.uri + "/chat")
    rita = log_in("rita@example.org")
    session = SignedInSession.objects.get(user=world.rita)
    files = sign_in_to(rita, nextcloud, scope=f"{SCOPES} offline_access")
    files = refreshed(nextcloud, files["refresh_token"])
    talk = sign_in_to(rita, chat)

    with django_capture_on_commit_callbacks(execute=True):
        rita.post(reverse("account_logout"))

    # Both signed in with the session, and both are told so; only the tokens the resident
    # did not let the service keep while away are revoked.
    told = {audience_and_sid(received) for received in receiver.received}
    assert told == {
        (nextcloud.client.client_id, sid_for(session.sid, nextcloud.client)),
        (chat.client.client_id, sid_for(session.sid, chat.client)),
    }
    assert introspect(Client(), chat, talk["access_token"])["active"] is False
    assert introspect(Client(), nextcloud, files["access_token"])["active"] is True
    assert "access_token" in refreshed(nextcloud, files["refresh_token"])


def test_a_refreshed_token_stays_linked_to_the_session_its_family_began_in(
    world, receiver, django_capture_on_commit_callbacks
):
    nextcloud = client_posting_to(world.mcc_service, receiver.uri)
    laptop = log_in("rita@example.org")
    first = sign_in_to(laptop, nextcloud, scope=f"{SCOPES} offline_access")
    # Narrowed on refresh (RFC 6749 §6): the family's newest tokens have no offline_access.
    narrowed = refreshed(nextcloud, first["refresh_token"], scope="openid")
    assert narrowed["scope"] == "openid"
    laptops = SignedInSession.objects.get(session_key=laptop.session.session_key)
    phone = log_in("rita@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        phone.post(reverse("identity:end_session", args=[laptops.pk]))

    assert logout_claims(receiver, nextcloud)[1]["sid"] == sid_for(laptops.sid, nextcloud.client)
    assert introspect(Client(), nextcloud, narrowed["access_token"])["active"] is False
    assert refreshed(nextcloud, narrowed["refresh_token"]) == {"error": "invalid_grant"}


def test_disconnecting_a_service_revokes_its_tokens_and_tells_it(
    world, receiver, django_capture_on_commit_callbacks
):
    nextcloud = client_posting_to(world.mcc_service, receiver.uri)
    chat = client_posting_to(world.cct_service, receiver.uri + "/chat")
    rita = log_in("rita@example.org")
    files, talk = sign_in_to(rita, nextcloud), sign_in_to(rita, chat)

    with django_capture_on_commit_callbacks(execute=True):
        rita.post(reverse("identity:disconnect", args=[nextcloud.client.pk]))

    _header, claims = logout_claims(receiver, nextcloud)
    assert claims["sid"] == sid_for(
        SignedInSession.objects.get(user=world.rita).sid, nextcloud.client
    )
    assert introspect(Client(), nextcloud, files["access_token"])["active"] is False
    # The other service keeps its tokens and hears nothing.
    assert introspect(Client(), chat, talk["access_token"])["active"] is True
    assert list(LogoutDelivery.objects.values_list("client", flat=True)) == [nextcloud.client.pk]


def test_a_disconnected_service_is_told_only_of_the_sessions_that_signed_in_to_it(
    world, receiver, django_capture_on_commit_callbacks
):
    nextcloud = client_posting_to(world.mcc_service, receiver.uri)
    _laptop, laptops = signed_in_on_a_laptop(nextcloud)
    # Rita's phone is signed in to the region too, but never signed in to the service.
    phone = log_in("rita@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        phone.post(reverse("identity:disconnect", args=[nextcloud.client.pk]))

    assert logout_claims(receiver, nextcloud)[1]["sid"] == sid_for(laptops.sid, nextcloud.client)


def test_a_disconnected_service_no_session_signed_in_to_is_told_the_resident_alone(
    world, receiver, django_capture_on_commit_callbacks
):
    nextcloud = client_posting_to(world.mcc_service, receiver.uri)
    laptop, _laptops = signed_in_on_a_laptop(nextcloud)
    # The laptop's session ends without a word to the service (it expired, say), and the
    # service keeps a session of its own; the phone never signed in there.
    SignedInSession.objects.filter(session_key=laptop.session.session_key).delete()
    phone = log_in("rita@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        phone.post(reverse("identity:disconnect", args=[nextcloud.client.pk]))

    _header, claims = logout_claims(receiver, nextcloud)
    assert "sid" not in claims
    assert claims["sub"] == subject_for(world.rita, nextcloud.client)


def test_a_new_password_ends_the_other_sessions_and_tells_services(
    world, receiver, django_capture_on_commit_callbacks
):
    nextcloud = client_posting_to(world.mcc_service, receiver.uri)
    laptop, laptops = signed_in_on_a_laptop(nextcloud)
    phone = log_in("rita@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        changed = phone.post(
            reverse("account_change_password"),
            {
                "oldpassword": PASSWORD,
                "password1": "a new long passphrase",
                "password2": "a new long passphrase",
            },
        )

    assert changed.status_code == 302
    _header, claims = logout_claims(receiver, nextcloud)
    assert claims["sid"] == sid_for(laptops.sid, nextcloud.client)
    assert list(SignedInSession.objects.values_list("session_key", flat=True)) == [
        phone.session.session_key
    ]
    assert AuditEvent.objects.filter(action="identity.session.end_password").count() == 1
    assert laptop.get(reverse("identity:connected")).status_code == 302
    assert phone.get(reverse("identity:connected")).status_code == 200


def test_a_service_that_answers_500_is_sent_the_token_again_later(
    world, receiver, django_capture_on_commit_callbacks
):
    nextcloud = client_posting_to(world.mcc_service, receiver.uri)
    rita = log_in("rita@example.org")
    sign_in_to(rita, nextcloud)
    receiver.answers = [500]

    with django_capture_on_commit_callbacks(execute=True):
        rita.post(reverse("account_logout"))

    delivery = LogoutDelivery.objects.get()
    assert delivery.attempts == 1 and delivery.last_outcome == "HTTP 500"
    assert delivery.delivered_at is None and delivery.next_attempt_at > timezone.now()
    # Not due yet: nothing is sent.
    assert retry_logout_deliveries.call_local() == 0
    LogoutDelivery.objects.update(next_attempt_at=timezone.now())

    assert retry_logout_deliveries.call_local() == 1

    delivery.refresh_from_db()
    assert len(receiver.received) == 2 and delivery.attempts == 2 and delivery.delivered_at
    first, second = (parse["logout_token"][0] for parse in receiver.received)
    assert first != second  # each attempt is a fresh token with its own short life


def test_the_region_gives_up_after_its_last_attempt_and_says_so(world, receiver):
    nextcloud = client_posting_to(world.mcc_service, receiver.uri)
    delivery = LogoutDelivery.objects.create(
        client=nextcloud.client,
        user=world.rita,
        subject=str(world.rita.sub),
        reason=LogoutDelivery.Reason.LOGOUT,
        attempts=backchannel.MAX_ATTEMPTS - 1,
        next_attempt_at=timezone.now(),
    )
    receiver.answers = [503]

    retry_logout_deliveries.call_local()

    delivery.refresh_from_db()
    assert delivery.abandoned_at and delivery.next_attempt_at is None
    abandoned = AuditEvent.objects.get(action="identity.backchannel_logout.abandon")
    assert "HTTP 503" in abandoned.note
    assert retry_logout_deliveries.call_local() == 0


def test_a_token_the_service_refuses_is_sent_twice_more_then_given_up(world, receiver):
    synapse = client_posting_to(world.mcc_service, receiver.uri)
    delivery = _owed_now(world, synapse)
    # As Synapse answers a logout token without ``sid``.
    receiver.answers = [400, 400, 400]

    for attempt in (1, 2):
        retry_logout_deliveries.call_local()
        delivery.refresh_from_db()
        assert delivery.attempts == attempt and delivery.abandoned_at is None
        assert delivery.last_outcome == "refused: HTTP 400"
        LogoutDelivery.objects.update(next_attempt_at=timezone.now())
    retry_logout_deliveries.call_local()

    delivery.refresh_from_db()
    assert delivery.attempts == 3 and delivery.abandoned_at and delivery.next_attempt_at is None
    abandoned = AuditEvent.objects.get(action="identity.backchannel_logout.abandon")
    assert abandoned.note == "after 3 attempts: refused: HTTP 400"
    assert retry_logout_deliveries.call_local() == 0
    assert len(receiver.received) == 3


def _owed_now(world, registered) -> LogoutDelivery:
    return LogoutDelivery.objects.create(
        client=registered.client,
        user=world.rita,
        subject=str(world.rita.sub),
        reason=LogoutDelivery.Reason.LOGOUT,
        next_attempt_at=timezone.now(),
    )


def test_two_jobs_holding_the_same_delivery_send_it_once(world, receiver):
    nextcloud = client_posting_to(world.mcc_service, receiver.uri)
    owed = _owed_now(world, nextcloud)
    # The first-attempt job and the minutely retry (or two consumers) read the row.
    mine, theirs = (LogoutDelivery.objects.get(pk=owed.pk) for _ in range(2))
    receiver.answers = [500]

    assert actions.attempt_logout_delivery(delivery=mine) is not None
    assert actions.attempt_logout_delivery(delivery=theirs) is None

    owed.refresh_from_db()
    assert len(receiver.received) == 1
    assert owed.attempts == 1 and owed.last_outcome == "HTTP 500"
    assert owed.next_attempt_at > timezone.now()


def test_a_first_attempt_job_that_runs_after_the_retry_sends_nothing(world, receiver):
    nextcloud = client_posting_to(world.mcc_service, receiver.uri)
    owed = _owed_now(world, nextcloud)
    receiver.answers = [503]
    assert retry_logout_deliveries.call_local() == 1

    deliver_logout_token.call_local(owed.pk)

    owed.refresh_from_db()
    assert len(receiver.received) == 1 and owed.attempts == 1


def test_at_a_site_a_token_owed_to_a_client_removed_since_is_given_up_and_the_rest_go(
    world, receiver, monkeypatch
):
    """At a replica site the deliveries are the site's own and the clients the standby's:
    a co-op removing its client takes none of the site's deliveries with it."""
    monkeypatch.setattr(tasks, "joinable", lambda *models: False)
    files = client_posting_to(world.mcc_service, "https://files.mcc.example.org/backchannel")
    chat = client_posting_to(world.cct_service, receiver.uri)
    orphan, other = (_owed_now(world, registered) for registered in (files, chat))
    LogoutDelivery.objects.filter(pk=orphan.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=2)
    )
    # As the removal reaches the site's standby (the row goes; the store keeps its own).
    removed = f"DELETE FROM {ServiceClient._meta.db_table} WHERE id = %s"  # noqa: S608 (a model's table)
    with connection.cursor() as cursor:
        cursor.execute(removed, [files.client.pk])
    try:
        attempted = retry_logout_deliveries.call_local()
    finally:
        # One database here holds both: the row comes back before its constraint is checked.
        files.client.save(force_insert=True)

    assert attempted == 2

    orphan.refresh_from_db()
    assert orphan.abandoned_at is not None and orphan.last_outcome == "the client was removed"
    event = AuditEvent.objects.get(
        action="identity.backchannel_logout.abandon", object_id=str(orphan.pk)
    )
    assert "logout token to a removed client" in event.object_repr
    assert len(receiver.received) == 1
    other.refresh_from_db()
    assert other.delivered_at is not None


def test_retries_wait_longer_each_time_up_to_an_hour():
    delays = [backchannel.retry_delay(n) for n in range(1, backchannel.MAX_ATTEMPTS)]

    assert delays[0] == datetime.timedelta(seconds=30)
    assert delays == sorted(delays)
    assert delays[-1] == datetime.timedelta(hours=1)


def test_services_without_an_address_or_without_the_resident_hear_nothing(
    world, receiver, django_capture_on_commit_callbacks
):
    client_posting_to(world.mcc_service, receiver.uri)  # Rita never signed in to it
    chat = make_client(world.cct_service)  # no back-channel address
    rita = log_in("rita@example.org")
    sign_in_to(rita, chat)

    with django_capture_on_commit_callbacks(execute=True):
        rita.post(reverse("account_logout"))

    assert receiver.received == [] and not LogoutDelivery.objects.exists()


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("ftp://files.example.org/logout", "is not a web address"),
        ("http://files.example.org/logout", "must start with https://"),
        ("https://files.example.org/logout#x", "cannot hold a #fragment"),
        ("https://169.254.169.254/latest/meta-data/", "is a link-local address"),
        ("https://[fe80::1]/logout", "is a link-local address"),
        ("https://0.0.0.0/logout", "is an unspecified address"),
    ],
)
def test_a_bad_back_channel_address_is_refused_at_registration(client, world, uri, problem):
    client.force_login(world.alice)
    url = reverse("identity:service_clients", args=["mcc", "mcc-files"])

    page = client.post(
        url,
        {"redirect_uris": REDIRECT, "post_logout_redirect_uris": "", "backchannel_logout_uri": uri},
    )

    assert page.status_code == 400
    assert problem in page.content.decode()
    assert not world.mcc_service.oidc_clients.exists()


def test_a_partner_registers_a_back_channel_address(client, world):
    client.force_login(world.alice)
    url = reverse("identity:service_clients", args=["mcc", "mcc-files"])

    page = client.post(
        url,
        {
            "redirect_uris": REDIRECT,
            "post_logout_redirect_uris": "",
            "backchannel_logout_uri": "https://files.mcc.example.org/apps/user_oidc/backchannel-logout",
        },
    )

    assert page.status_code == 200
    registered = world.mcc_service.oidc_clients.get()
    assert registered.backchannel_logout_uri.endswith("/backchannel-logout")
    # An unticked box: this service signs residents out by sub alone.
    assert registered.backchannel_logout_session_required is False


def test_a_production_region_does_not_post_to_its_own_loopback(settings, receiver):
    assert logout_uri_problem("http://127.0.0.1:8080/logout") is None
    settings.SECURE_SITE = True

    assert "loopback" in logout_uri_problem("https://127.0.0.1/logout")
    assert "loopback" in logout_uri_problem("https://127.0.0.2/logout")
    assert "loopback" in logout_uri_problem("https://[::ffff:127.0.0.1]/logout")
    # A name is judged by where it leads when the token is sent, so one registered as
    # harmless and pointed at the region's own machine later reaches nothing.
    by_name = receiver.uri.replace("127.0.0.1", "localhost")
    assert logout_uri_problem(by_name.replace("http:", "https:")) is None

    problem = backchannel.post_logout_token(by_name, "a logout token")

    assert re.match(r"not sent: localhost resolves to (127\.0\.0\.1|::1), a loopback", problem)
    assert receiver.received == []


def test_a_demo_region_posts_to_services_on_its_own_machine_by_name(receiver):
    by_name = receiver.uri.replace("127.0.0.1", "localhost")

    assert backchannel.post_logout_token(by_name, "a logout token") is None
    assert receiver.received == [{"logout_token": ["a logout token"]}]


def test_a_name_that_resolves_nowhere_is_tried_again_later():
    problem = backchannel.post_logout_token("https://files.mcc.invalid/logout", "a logout token")

    assert problem.startswith("no answer: files.mcc.invalid could not be resolved")


@pytest.mark.parametrize(
    "uri", ["https://[files.mcc.example.org/logout", "https://files.mcc.example.org:99999/"]
)
def test_an_address_urllib_cannot_read_is_not_tried(uri):
    # Refused at registration; a row written otherwise still can't stop the retries.
    assert backchannel.post_logout_token(uri, "a logout token") == "not a web address"


def test_a_redirect_is_not_followed(receiver):
    receiver.answers = [307]

    assert backchannel.post_logout_token(receiver.uri, "a logout token") == "HTTP 307"
    assert len(receiver.received) == 1


class _Dripping(BaseHTTPRequestHandler):
    """A service's endpoint that answers a byte at a time, each soon enough to keep the
    connection open: as one might to hold the region's sending worker for good."""

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            for _ in range(60):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
            self.wfile.write(b"\r\nContent-Length: 0\r\n\r\n")
        except OSError:  # the region hung up
            pass

    def log_message(self, *args):
        pass


def test_a_service_answering_a_byte_at_a_time_gets_the_same_few_seconds(monkeypatch):
    monkeypatch.setattr(backchannel, "POST_TIMEOUT_SECONDS", 1)
    with on_loopback(_Dripping) as server:
        uri = f"http://127.0.0.1:{server.server_port}/backchannel-logout"
        started = time.monotonic()

        problem = backchannel.post_logout_token(uri, "a logout token")

    assert time.monotonic() - started < 3
    assert problem.startswith("no answer")


class _Silent(BaseHTTPRequestHandler):
    """A service's endpoint that takes the request and never answers, as a server does
    whose application is stuck (or whose site lost power mid-request)."""

    def do_POST(self):
        self.server.reached += 1
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(1.5)

    def log_message(self, *args):
        pass


def test_a_silent_service_holds_a_run_once_not_once_per_token_it_is_owed(
    world, receiver, monkeypatch
):
    monkeypatch.setattr(backchannel, "POST_TIMEOUT_SECONDS", 0.5)
    with on_loopback(_Silent) as silent:
        silent.reached = 0
        stuck = client_posting_to(
            world.mcc_service, f"http://127.0.0.1:{silent.server_port}/backchannel-logout"
        )
        answering = client_posting_to(world.cct_service, receiver.uri)
        owed_stuck = [_owed_now(world, stuck), _owed_now(world, stuck), _owed_now(world, stuck)]
        owed_answering = _owed_now(world, answering)

        assert retry_logout_deliveries.call_local() == 4

    assert silent.reached == 1
    first, *rest = (LogoutDelivery.objects.get(pk=owed.pk) for owed in owed_stuck)
    assert first.last_outcome.startswith("no answer")
    # The others count an attempt each, unsent, and wait their turn as after a failure.
    for delivery in rest:
        assert delivery.attempts == 1 and delivery.next_attempt_at > timezone.now()
        assert delivery.last_outcome.startswith("not sent: moments before, no answer")
    owed_answering.refresh_from_db()
    assert owed_answering.delivered_at and len(receiver.received) == 1


def test_a_reset_password_ends_every_session_and_tells_services(
    world, receiver, mailoutbox, django_capture_on_commit_callbacks
):
    nextcloud = client_posting_to(world.mcc_service, receiver.uri)
    laptop, laptops = signed_in_on_a_laptop(nextcloud)
    # Rita has forgotten her password; a browser not signed in asks for the mail.
    stranger = Client()
    stranger.post(reverse("account_reset_password"), {"email": "rita@example.org"})
    (link,) = re.findall(r"/accounts/password/reset/key/\S+/", mailoutbox[0].body)
    form = stranger.get(link, follow=True).redirect_chain[-1][0]

    with django_capture_on_commit_callbacks(execute=True):
        reset = stranger.post(
            form, {"password1": "a new long passphrase", "password2": "a new long passphrase"}
        )

    assert reset.status_code == 302
    _header, claims = logout_claims(receiver, nextcloud)
    assert claims["sid"] == sid_for(laptops.sid, nextcloud.client)
    assert not SignedInSession.objects.filter(user=world.rita).exists()
    assert laptop.get(reverse("identity:connected")).status_code == 302


def _set_password_in_admin(steward: Client, user) -> None:
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    answer = steward.post(
        url,
        {
            "usable_password": "true",
            "password1": "a new long passphrase",
            "password2": "a new long passphrase",
        },
    )
    assert answer.status_code == 302, answer.context["form"].errors


def test_a_password_the_steward_sets_ends_the_residents_sessions_and_tells_services(
    world, receiver, django_capture_on_commit_callbacks
):
    nextcloud = client_posting_to(world.mcc_service, receiver.uri)
    laptop, laptops = signed_in_on_a_laptop(nextcloud)
    steward = log_in("sam@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        _set_password_in_admin(steward, world.rita)

    _header, claims = logout_claims(receiver, nextcloud)
    assert claims["sid"] == sid_for(laptops.sid, nextcloud.client)
    assert not SignedInSession.objects.filter(user=world.rita).exists()
    assert laptop.get(reverse("identity:connected")).status_code == 302
    event = AuditEvent.objects.get(action="admin.user.set_password")
    assert event.actor == world.sam and event.object_id == str(world.rita.pk)
    assert AuditEvent.objects.filter(action="identity.session.end_password").count() == 1


def test_a_steward_setting_their_own_password_keeps_the_browser_they_used(world, receiver):
    steward = log_in("sam@example.org")
    elsewhere = log_in("sam@example.org")

    _set_password_in_admin(steward, world.sam)

    assert list(SignedInSession.objects.values_list("session_key", flat=True)) == [
        steward.session.session_key
    ]
    assert steward.get(reverse("identity:connected")).status_code == 200
    assert elsewhere.get(reverse("identity:connected")).status_code == 302
