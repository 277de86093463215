"""/accounts/delete/: a resident asks for their account to be deleted, proving it is them
with their password (and second factor), and has the grace period to change their mind."""

import datetime

import pytest
from allauth.account import app_settings as account_settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from solhost.core.models import AuditEvent
from solhost.identity.tests.test_session_claims import current_totp_code, with_totp
from solhost.residents.models import AccountDeletion
from solhost.residents.tests.story import sign_in
from solhost.test import PASSWORD
from solhost.tests.test_hostile_forms import HOSTILE
from solhost.web.tests.pages import assert_clean_page

URL = reverse("residents:delete")
OVERVIEW = reverse("residents:overview")


def nothing_scheduled():
    assert not AccountDeletion.objects.exists()
    assert not AuditEvent.objects.filter(action="residents.deletion.request").exists()
    assert not [m for m in mail.outbox if "will be deleted" in m.subject]


def test_the_page_needs_a_login(client, world):
    assertRedirects(client.get(URL), f"{reverse('account_login')}?next={URL}")


def test_the_page_says_what_goes_what_stays_and_for_how_long(client, world):
    client.force_login(world.rita)
    page = client.get(URL)
    assert_clean_page(page)
    assertContains(page, "30 days")
    assertContains(page, "under an anonymous id")
    assertContains(page, 'autocomplete="current-password"')
    assertNotContains(page, "Step 1")
    assertNotContains(page, "You act for")


def test_a_partner_member_is_warned_they_leave_their_co_op(client, world):
    client.force_login(world.alice)
    assertContains(client.get(URL), "You act for\n          Merri Creek Computing")


def test_the_right_password_schedules_the_deletion_after_the_grace_period(
    client, world, django_capture_on_commit_callbacks
):
    browser = sign_in("rita@example.org")
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        answer = browser.post(URL, {"password": PASSWORD})

    assertRedirects(answer, OVERVIEW, fetch_redirect_response=False)
    deletion = AccountDeletion.objects.get(user=world.rita)
    assert deletion.pending and deletion.final_email_sent_at is None
    grace = deletion.erase_after - deletion.requested_at
    assert grace == datetime.timedelta(days=30) and deletion.requested_at >= before
    (message,) = [m for m in mail.outbox if "will be deleted" in m.subject]
    assert message.to == ["rita@example.org"]
    assert "Keep my account" in message.body and "http://testserver/accounts/" in message.body
    event = AuditEvent.objects.get(action="residents.deletion.request")
    assert event.actor == world.rita and event.note == "30 days of grace"
    page = browser.get(OVERVIEW)
    erase_after = date_format(timezone.localtime(deletion.erase_after), "j F Y, H:i")
    assertContains(page, f"Your account will be deleted after {erase_after}.")
    assertContains(page, "Your account is due to be deleted")


@pytest.mark.parametrize("password", ["not my password", "", HOSTILE])
def test_a_wrong_password_changes_nothing(client, world, password):
    browser = sign_in("rita@example.org")

    page = browser.post(URL, {"password": password})

    assert page.status_code == 400
    assertContains(page, "There is a problem", status_code=400)
    nothing_scheduled()


def test_a_wrong_password_counts_as_a_failed_sign_in(client, world):
    browser = sign_in("rita@example.org")
    browser.post(URL, {"password": "not my password"})
    assert AuditEvent.objects.filter(
        action="identity.login_failed", note__startswith="rita@example.org"
    ).exists()


def test_with_a_second_factor_the_password_alone_is_not_enough(client, world):
    browser = sign_in("rita@example.org")
    secret = with_totp(world.rita)
    page = browser.get(URL)
    assertContains(page, "Step 1")
    confirm = f"{reverse('mfa_reauthenticate')}?next={URL}"
    assertContains(page, f'href="{confirm}"')

    refused = browser.post(URL, {"password": PASSWORD})

    assertContains(refused, "Confirm your second factor first", status_code=400)
    nothing_scheduled()

    confirmed = browser.post(confirm, {"code": current_totp_code(secret)})
    assert confirmed["Location"] == URL
    assertContains(browser.get(URL), "your second factor is confirmed")
    answer = browser.post(URL, {"password": PASSWORD})

    assertRedirects(answer, OVERVIEW)
    assert AccountDeletion.objects.get(user=world.rita).pending


def test_a_second_factor_confirmed_long_ago_is_asked_again(client, world):
    browser = sign_in("rita@example.org")
    secret = with_totp(world.rita)
    browser.post(f"{reverse('mfa_reauthenticate')}?next={URL}", {"code": current_totp_code(secret)})
    session = browser.session
    records = session["account_authentication_methods"]
    for record in records:
        record["at"] -= account_settings.REAUTHENTICATION_TIMEOUT + 1
    session["account_authentication_methods"] = records
    session.save()

    refused = browser.post(URL, {"password": PASSWORD})

    assertContains(refused, "Confirm your second factor first", status_code=400)
    nothing_scheduled()


def test_a_deletion_already_scheduled_is_not_scheduled_twice(client, world):
    browser = sign_in("rita@example.org")
    browser.post(URL, {"password": PASSWORD})

    page = browser.post(URL, {"password": PASSWORD})

    assertContains(page, "already due to be deleted")
    assert AccountDeletion.objects.count() == 1


def test_cancelling_within_the_grace_period_keeps_the_account(client, world):
    browser = sign_in("rita@example.org")
    browser.post(URL, {"password": PASSWORD})

    browser.post(reverse("residents:cancel_deletion"))

    deletion = AccountDeletion.objects.get()
    assert not deletion.pending and deletion.cancelled_at is not None
    assert AuditEvent.objects.filter(action="residents.deletion.cancel", actor=world.rita).exists()
    # And the resident may ask again later.
    assert browser.post(URL, {"password": PASSWORD}).status_code == 302
    assert AccountDeletion.objects.filter(user=world.rita, cancelled_at=None).count() == 1
