"""Credentials that may have been copied are renewed (``identity.renewals``,
``solhost renew-credentials``): the password, authenticator app and recovery codes stop
working, the account is signed out everywhere, and the resident is mailed the reason and a
link to choose a new password. Security keys stay. A run that stops resumes where it
stopped, renewing each account once."""

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from solhost.core.audit import AuditAction
from solhost.core.models import AuditEvent
from solhost.identity import renewals
from solhost.identity.models import CredentialRenewal, LogoutDelivery, SignedInSession, User
from solhost.identity.tasks import finish_unfinished_renewal, mail_renewed_credentials
from solhost.identity.tests.oidc import SCOPES, introspect, refresh, sign_in_to
from solhost.identity.tests.test_backchannel_logout import (
    client_posting_to,
    log_in,
    logout_claims,
)
from solhost.identity.tests.test_backchannel_logout import (
    receiver as receiver,
)
from solhost.identity.tests.test_second_factor_pages import with_security_key
from solhost.identity.tests.test_session_claims import with_totp
from solhost.test import PASSWORD, make_user

WHY = "The Hill site's server was stolen on 3 December; it held a copy of every account."
NEW_PASSWORD = "a fresh river stone"
RESET_LINK = re.compile(r"https?://\S+/accounts/password/reset/key/\S+/")


@pytest.fixture(autouse=True)
def _issuer(settings):
    settings.BASE_URL = "http://testserver"


def renew(*args: str) -> str:
    out = StringIO()
    call_command("renew-credentials", *args, stdout=out)
    return out.getvalue()


def renewed_names() -> list[str]:
    ids = AuditEvent.objects.filter(action=AuditAction.CREDENTIALS_RENEW).values_list(
        "object_id", flat=True
    )
    return sorted(
        User.objects.filter(pk__in=[int(i) for i in ids]).values_list("username", flat=True)
    )


def test_a_renewed_account_loses_its_password_and_copyable_second_factors(
    world, django_capture_on_commit_callbacks
):
    with_totp(world.rita)
    RecoveryCodes.activate(world.rita)
    key = with_security_key(world.rita)

    with django_capture_on_commit_callbacks(execute=True):
        renew("--account", "rita", "--why", WHY)

    assert authenticate(username="rita", password=PASSWORD) is None
    world.rita.refresh_from_db()
    assert not world.rita.has_usable_password()
    assert list(Authenticator.objects.filter(user=world.rita)) == [key]
    (event,) = AuditEvent.objects.filter(action=AuditAction.CREDENTIALS_RENEW)
    assert event.object_id == str(world.rita.pk)
    assert event.note.startswith(WHY)
    assert event.note.endswith("removed: password, recovery_codes, totp")
    # Nobody else's.
    assert authenticate(username="alice", password=PASSWORD) == world.alice


def test_the_browser_the_password_signed_in_is_signed_out_and_services_are_told(
    world, request, django_capture_on_commit_callbacks
):
    endpoint = request.getfixturevalue("receiver")
    files = client_posting_to(world.mcc_service, endpoint.uri)
    laptop = log_in("rita@example.org")
    tokens = sign_in_to(laptop, files, scope=f"{SCOPES} offline_access")

    with django_capture_on_commit_callbacks(execute=True):
        renew("--account", "rita", "--why", WHY)

    assert laptop.get(reverse("identity:connected")).status_code == 302
    assert not SignedInSession.objects.filter(user=world.rita).exists()
    # Offline access too: it may have been got with the copied password.
    assert not introspect(Client(), files, tokens["access_token"])["active"]
    assert refresh(Client(), files, tokens["refresh_token"]).json()["error"] == "invalid_grant"
    _header, claims = logout_claims(endpoint, files)
    assert claims["sid"]
    assert LogoutDelivery.objects.get().reason == LogoutDelivery.Reason.RENEWED
    # Their consent stays: with a new password they sign in without agreeing again.
    assert world.rita.consents.filter(client=files.client).exists()


def reset_path(message) -> str:
    return urlsplit(RESET_LINK.search(message.body).group(0)).path


def test_the_mail_says_why_and_its_link_sets_a_new_password(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        renew("--account", "rita", "--why", WHY)

    (mail,) = mailoutbox
    assert mail.to == ["rita@example.org"]
    assert mail.subject == "Choose a new password for your Test Region account"
    body = " ".join(mail.body.split())
    assert WHY in body
    assert "Nobody can sign in with your old password any more, not even you." in body
    assert "the link works for 3 days, once" in body
    assert "A security key you added still works" in body
    assert "/accounts/password/reset/" in body
    browser = Client()
    form_page = browser.get(reset_path(mail), follow=True)
    chosen = browser.post(
        form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert chosen.status_code == 302
    assert authenticate(username="rita", password=NEW_PASSWORD) == world.rita
    assert AuditEvent.objects.filter(
        action=AuditAction.CREDENTIALS_RENEW_MAIL, object_id=str(world.rita.pk)
    ).exists()


def test_no_mail_once_the_resident_has_chosen_a_password(world, mailoutbox):
    renewal = renewals.start_renewal(why=WHY, usernames=["rita"])
    renewals.renew_next_batch(renewal_id=renewal.pk)
    # They asked for a link on the sign-in page and chose one before the job ran.
    world.rita.set_password(NEW_PASSWORD)
    world.rita.save()

    mail_renewed_credentials(user_id=world.rita.pk, renewal_id=renewal.pk)

    assert mailoutbox == []


def test_only_a_verified_address_is_mailed_and_the_steward_is_told_who_was_not(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    typo = make_user("una")
    typo.emailaddress_set.update(verified=False)
    gone = make_user("vic", is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        out = renew("--account", "una", "--account", "vic", "--account", "rita", "--why", WHY)

    assert [m.to for m in mailoutbox] == [["rita@example.org"]]
    assert not User.objects.get(pk=typo.pk).has_usable_password()
    assert not User.objects.get(pk=gone.pk).has_usable_password()
    assert CredentialRenewal.objects.get().not_mailed == 1
    assert "3 accounts renewed, 3 of them signed out everywhere" in out
    assert "1 active accounts have no verified address to mail the link to" in out
    (unmailed,) = AuditEvent.objects.filter(action=AuditAction.CREDENTIALS_RENEW_UNMAILED)
    assert unmailed.object_id == str(typo.pk)


def test_all_renews_every_account_there_was_and_none_made_since(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    renewal = renewals.start_renewal(why=WHY)
    newcomer = make_user("newcomer")

    with django_capture_on_commit_callbacks(execute=True):
        while renewal.finished is None:
            renewal = renewals.renew_next_batch(renewal_id=renewal.pk, size=2)

    assert renewed_names() == ["alice", "bob", "carol", "rita", "sam"]
    assert authenticate(username="newcomer", password=PASSWORD) == newcomer
    assert len(mailoutbox) == 5
    assert AuditEvent.objects.filter(action=AuditAction.CREDENTIALS_RENEWAL_FINISH).count() == 1


def test_all_asks_for_yes_and_renews_nothing_without_it(world):
    with pytest.raises(CommandError, match="Run it again with --yes to go ahead"):
        renew("--all", "--why", WHY)

    assert not CredentialRenewal.objects.exists()
    assert authenticate(username="rita", password=PASSWORD) == world.rita


def test_all_with_yes_renews_every_account(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        out = renew("--all", "--yes", "--why", WHY)

    assert (
        "The passwords, authenticator apps and recovery codes of 5 accounts no longer work." in out
    )
    assert "Signed out 5 of 5 accounts." in out
    assert renewed_names() == ["alice", "bob", "carol", "rita", "sam"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--account", "rita"], "Say why the credentials are renewed"),
        (["--account", "rita", "--why", "   "], "Say why the credentials are renewed"),
        (
            ["--account", "rita", "--account", "nobody", "--account", "zed", "--why", WHY],
            "No account is named nobody, zed: nothing was renewed.",
        ),
        (["--resume"], "no renewal is unfinished"),
    ],
)
def test_what_the_command_refuses_changes_nothing(world, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        renew(*args)

    assert not CredentialRenewal.objects.exists()
    assert authenticate(username="rita", password=PASSWORD) == world.rita


def test_a_renewal_that_stopped_is_resumed_signing_each_account_out_once(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        renewal = renewals.start_renewal(why=WHY)
        renewals.renew_next_batch(renewal_id=renewal.pk, size=2)
    # Every password stopped working at once; the first two are signed out and mailed.
    assert [authenticate(username=n, password=PASSWORD) for n in ("sam", "rita")] == [None, None]
    assert len(mailoutbox) == 2
    # Before the rest are, Rita asks for a link herself and signs in with a new password.
    world.rita.set_password(NEW_PASSWORD)
    world.rita.save()
    browser = Client()
    browser.post(reverse("account_login"), {"login": "rita@example.org", "password": NEW_PASSWORD})

    with pytest.raises(CommandError, match="is unfinished: resume it first"):
        renew("--account", "rita", "--why", "another")
    assert "Unfinished: 3 accounts left to sign out and mail" in renew("--status")
    with django_capture_on_commit_callbacks(execute=True):
        out = renew("--resume")

    assert "5 accounts renewed, 5 of them signed out everywhere" in out
    assert renewed_names() == ["alice", "bob", "carol", "rita", "sam"]
    assert AuditEvent.objects.filter(action=AuditAction.CREDENTIALS_RENEW).count() == 5
    # What she began with her new password stays, and she is not sent a link she no
    # longer needs.
    assert authenticate(username="rita", password=NEW_PASSWORD) == world.rita
    assert browser.get(reverse("identity:connected")).status_code == 200
    assert len(mailoutbox) == 4 and ["rita@example.org"] not in [m.to for m in mailoutbox]
    assert "Finished" in renew("--status")


def test_the_worker_finishes_a_renewal_whose_command_stopped(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        renewal = renewals.start_renewal(why=WHY)
        renewals.renew_next_batch(renewal_id=renewal.pk, size=2)

    with django_capture_on_commit_callbacks(execute=True):
        signed_out = finish_unfinished_renewal.call_local()

    assert signed_out == 3
    assert CredentialRenewal.objects.get().finished is not None
    assert len(mailoutbox) == 5
    assert AuditEvent.objects.filter(action=AuditAction.CREDENTIALS_RENEWAL_FINISH).count() == 1
    # Nothing left for the next minute.
    assert finish_unfinished_renewal.call_local() == 0


def test_the_worker_leaves_a_replica_sites_accounts_to_the_primary(world, settings):
    renewals.start_renewal(why=WHY, usernames=["rita"])
    settings.SOLHOST_SITE_REPLICA_URL = "postgres://standby.example.org/region"

    assert finish_unfinished_renewal.call_local() == 0
    assert CredentialRenewal.objects.get().finished is None


def test_status_before_any_renewal(world):
    assert renew("--status") == "No credentials have been renewed.\n"


def test_a_replica_site_sends_the_steward_to_the_primary(world, settings):
    settings.SOLHOST_SITE_REPLICA_URL = "postgres://standby.example.org/region"

    with pytest.raises(CommandError, match="at the primary"):
        renew("--account", "rita", "--why", WHY)

    assert not CredentialRenewal.objects.exists()


def test_the_steward_follows_renewals_in_the_admin_and_cannot_change_them(world):
    typo = make_user("una")
    typo.emailaddress_set.update(verified=False)
    renewal = renewals.start_renewal(why=WHY, usernames=["una", "rita"])
    renewals.renew_next_batch(renewal_id=renewal.pk)
    steward = Client()
    steward.force_login(world.sam)

    listed = steward.get(reverse("admin:identity_credentialrenewal_changelist"))

    text = " ".join(listed.content.decode().split())
    assert listed.status_code == 200
    assert "site&#x27;s server was stolen on 3 December" in text
    for heading in ("Accounts", "Signed out and mailed", "No address to mail", "Finished"):
        assert heading in text
    add = steward.get(reverse("admin:identity_credentialrenewal_add"))
    assert add.status_code == 403
    page = steward.get(reverse("admin:identity_credentialrenewal_change", args=[renewal.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content


def test_a_resident_whose_link_expired_asks_for_another_on_the_reset_page(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        renew("--account", "rita", "--why", WHY)
    mailoutbox.clear()

    Client().post(reverse("account_reset_password"), {"email": "rita@example.org"})

    (mail,) = mailoutbox
    browser = Client()
    form_page = browser.get(reset_path(mail), follow=True)
    browser.post(
        form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert authenticate(username="rita", password=NEW_PASSWORD) == world.rita
