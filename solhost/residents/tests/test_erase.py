"""Carrying out a deletion once its grace period is over: the resident is emailed their
export, then the account is erased, services are told and partners get a notice, while
the money records stay in the books under an anonymous id."""

import datetime
import io
import json
import zipfile
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from jsonschema import Draft202012Validator
from oauth2_provider.models import AccessToken, RefreshToken

from solhost.contributions.actions import reference_for_resident, sponsor_seat
from solhost.contributions.models import (
    ContributionChoice,
    Payment,
    Pledge,
    PledgeReminder,
    SponsoredSeat,
)
from solhost.core.audit import AuditAction, record
from solhost.core.models import AuditEvent
from solhost.distribution.models import PaymentReversal, ResidentShare
from solhost.identity.models import Consent, LogoutDelivery, ServiceClient, SignedInSession, User
from solhost.identity.subjects import organisation_sector, pairwise_sub, subject_for
from solhost.identity.tests.oidc import introspect
from solhost.identity.tests.test_backchannel_logout import client_posting_to
from solhost.identity.tests.test_session_claims import with_totp
from solhost.ledger.models import Posting, Transaction
from solhost.metering.models import ActiveDay
from solhost.residents import actions
from solhost.residents.models import AccountDeletion, AccountExport, DeletionNotice
from solhost.residents.queries import SCHEMA_PATH
from solhost.residents.tasks import delete_due_accounts
from solhost.residents.tests.story import more_of_a_life, october, sign_in, sign_in_to
from solhost.test import PASSWORD
from solhost.winddown.models import Case

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def scheduled(world, receiver, django_capture_on_commit_callbacks):
    """Rita and Bob pay, use both co-ops and signed in to MCC Files, which takes logout
    tokens; Rita has a second address and a TOTP, then asks for her account's deletion."""
    october(world)
    nextcloud = client_posting_to(world.mcc_service, receiver.uri)
    rita, bob = sign_in("rita@example.org"), sign_in("bob@example.org")
    scope = "openid profile email offline_access"
    tokens = {"rita": sign_in_to(rita, nextcloud, scope), "bob": sign_in_to(bob, nextcloud, scope)}
    world.rita.emailaddress_set.create(email="Rita@Home.example.org", verified=True)
    with_totp(world.rita)
    more_of_a_life(world)
    with django_capture_on_commit_callbacks(execute=True):
        deletion = actions.request_deletion(
            user=world.rita, now=datetime.datetime.now(datetime.UTC)
        )
    mail.outbox.clear()
    return {
        "deletion": deletion,
        "nextcloud": nextcloud,
        "browsers": {"rita": rita, "bob": bob},
        "tokens": tokens,
        "subject": subject_for(world.rita, nextcloud.client),
        "sub": world.rita.sub,
    }


def carry_out(at, capture) -> list[actions.Outcome]:
    with capture(execute=True):
        return actions.carry_out_due_deletions(now=at)


def ledger_state():
    return (
        Transaction.objects.count(),
        list(Posting.objects.order_by("pk").values_list("pk", "account_id", "amount_cents")),
        Posting.objects.aggregate(total=Sum("amount_cents"))["total"],
    )


def test_nothing_is_erased_before_the_grace_period_is_over(
    world, scheduled, django_capture_on_commit_callbacks
):
    deletion = scheduled["deletion"]

    assert carry_out(deletion.erase_after - MINUTE, django_capture_on_commit_callbacks) == []

    rita = User.objects.get(pk=world.rita.pk)
    assert rita.username == "rita" and rita.is_active
    assert mail.outbox == []
    assert scheduled["browsers"]["rita"].get(reverse("residents:overview")).status_code == 200


def test_a_cancelled_deletion_is_never_carried_out(
    world, scheduled, django_capture_on_commit_callbacks
):
    deletion = scheduled["deletion"]
    actions.cancel_deletion(user=world.rita, now=deletion.requested_at + MINUTE)

    assert carry_out(deletion.erase_after + MINUTE, django_capture_on_commit_callbacks) == []

    assert User.objects.get(pk=world.rita.pk).username == "rita"
    assert mail.outbox == []


def test_after_the_grace_period_the_resident_gets_their_export_then_is_erased(
    world, scheduled, receiver, django_capture_on_commit_callbacks
):
    deletion = scheduled["deletion"]
    ledger_before = ledger_state()
    reference = reference_for_resident(world.rita)

    (outcome,) = carry_out(deletion.erase_after + MINUTE, django_capture_on_commit_callbacks)

    assert not outcome.failed and outcome.what.startswith("erased: 2 email addresses")
    # The final email, with everything she had, before the erasure.
    (message,) = mail.outbox
    assert message.to == ["rita@example.org"]
    (attachment,) = message.attachments
    name, content, kind = attachment
    assert kind == "application/zip" and name.endswith(".zip")
    document = json.loads(zipfile.ZipFile(io.BytesIO(content)).read("export.json"))
    Draft202012Validator(json.loads(SCHEMA_PATH.read_text())).validate(document)
    assert document["account"]["username"] == "rita" and len(document["payments"]) == 2
    # Personal data is gone; the row stays, under an anonymous id.
    rita = User.objects.get(pk=world.rita.pk)
    deletion.refresh_from_db()
    assert rita.username == deletion.anonymous_id and rita.username.startswith("deleted-")
    assert (rita.email, rita.first_name, rita.last_name, rita.display_name) == ("", "", "", "")
    assert not rita.is_active and not rita.has_usable_password()
    assert rita.sub != scheduled["sub"]
    assert deletion.erased_at == deletion.erase_after + MINUTE and not deletion.pending
    for model in (EmailAddress, Authenticator, SignedInSession, Consent):
        assert not model.objects.filter(user=rita).exists(), model
    assert not ContributionChoice.objects.filter(resident=rita).exists()
    assert not Pledge.objects.filter(resident=rita).exists()
    assert PledgeReminder.objects.count() == 0
    # The closing co-op's case and the refund stay, as the wind-down and the books need them.
    assert Case.objects.get(resident=rita).service == world.mcc_service
    assert PaymentReversal.objects.filter(payment__reference=reference).count() == 1
    # She is signed out everywhere and can't sign in again.
    assert scheduled["browsers"]["rita"].get(reverse("residents:overview")).status_code == 302
    gone = Client().post(
        reverse("account_login"), {"login": "rita@example.org", "password": PASSWORD}
    )
    assert gone.status_code == 200
    # Money records stay, pointing at the same (anonymised) row, and the books still balance.
    assert ledger_state() == ledger_before and ledger_before[2] == 0
    assert {p.reference.resident for p in Payment.objects.filter(reference=reference)} == {rita}
    assert ResidentShare.objects.get(resident=rita).paid_cents == 2500
    assert ActiveDay.objects.filter(resident=rita).count() >= 4
    audit = AuditEvent.objects.get(action="residents.deletion.erase")
    assert audit.object_id == str(rita.pk) and audit.actor is None


def test_services_are_told_and_their_tokens_revoked(
    world, scheduled, receiver, django_capture_on_commit_callbacks
):
    deletion, nextcloud = scheduled["deletion"], scheduled["nextcloud"]

    carry_out(deletion.erase_after + MINUTE, django_capture_on_commit_callbacks)

    (delivery,) = LogoutDelivery.objects.filter(reason=LogoutDelivery.Reason.DELETED)
    assert delivery.client == nextcloud.client and delivery.delivered_at is not None
    assert delivery.subject == scheduled["subject"]
    assert len(receiver.received) == 1
    rita_tokens, bob_tokens = scheduled["tokens"]["rita"], scheduled["tokens"]["bob"]
    for token in (rita_tokens["access_token"], rita_tokens["refresh_token"]):
        assert introspect(Client(), nextcloud, token)["active"] is False
    assert not AccessToken.objects.filter(user=world.rita).exists()
    assert not RefreshToken.objects.filter(user=world.rita, revoked=None).exists()
    assert AuditEvent.objects.filter(
        action="identity.token.revoke", note__endswith="the resident's account was deleted"
    ).exists()
    # Bob keeps his.
    assert introspect(Client(), nextcloud, bob_tokens["access_token"])["active"] is True


def test_a_resident_signed_out_everywhere_is_still_named_to_services(
    world, scheduled, receiver, django_capture_on_commit_callbacks
):
    deletion = scheduled["deletion"]
    with django_capture_on_commit_callbacks(execute=True):
        scheduled["browsers"]["rita"].post(reverse("account_logout"))
    receiver.received.clear()

    carry_out(deletion.erase_after + MINUTE, django_capture_on_commit_callbacks)

    (delivery,) = LogoutDelivery.objects.filter(reason=LogoutDelivery.Reason.DELETED)
    assert delivery.sid is None and delivery.subject == scheduled["subject"]
    assert len(receiver.received) == 1


def test_each_partner_that_knew_her_gets_a_notice_with_the_sub_it_knows(
    world, scheduled, django_capture_on_commit_callbacks
):
    deletion, sub = scheduled["deletion"], scheduled["sub"]
    # One service of each co-op gets public subs. MCC's signed her in before she asked
    # (as the token endpoint records it); nobody at Coburg did, but she used its chat.
    for service in (world.mcc_service, world.cct_service):
        public = client_posting_to(service, f"https://{service.slug}.example.org/logout")
        public.client.subject_type = ServiceClient.SubjectType.PUBLIC
        public.client.save()
        if service == world.mcc_service:
            record(actor=world.rita, action=AuditAction.TOKEN_ISSUE, obj=public.client)

    carry_out(deletion.erase_after + MINUTE, django_capture_on_commit_callbacks)

    notices = {(n.organisation.slug, n.subject) for n in DeletionNotice.objects.all()}
    # Coburg is never told the public sub it was never given.
    assert notices == {
        ("mcc", str(pairwise_sub(sub, organisation_sector(world.mcc.pk)))),
        ("mcc", str(sub)),
        ("cct", str(pairwise_sub(sub, organisation_sector(world.cct.pk)))),
    }
    assert ("mcc", scheduled["subject"]) in notices
    assert {n.deleted_at for n in DeletionNotice.objects.all()} == {deletion.erase_after + MINUTE}


def test_other_residents_are_untouched(world, scheduled, django_capture_on_commit_callbacks):
    deletion = scheduled["deletion"]
    bob_before = User.objects.filter(pk=world.bob.pk).values().get()
    bobs = {
        "addresses": list(EmailAddress.objects.filter(user=world.bob).values()),
        "sessions": list(SignedInSession.objects.filter(user=world.bob).values()),
        "consents": list(Consent.objects.filter(user=world.bob).values()),
        "events": list(AuditEvent.objects.filter(actor=world.bob).values()),
    }

    carry_out(deletion.erase_after + MINUTE, django_capture_on_commit_callbacks)

    assert User.objects.filter(pk=world.bob.pk).values().get() == bob_before
    assert bobs == {
        "addresses": list(EmailAddress.objects.filter(user=world.bob).values()),
        "sessions": list(SignedInSession.objects.filter(user=world.bob).values()),
        "consents": list(Consent.objects.filter(user=world.bob).values()),
        "events": list(AuditEvent.objects.filter(actor=world.bob).values()),
    }
    assert scheduled["browsers"]["bob"].get(reverse("residents:overview")).status_code == 200
    assert not DeletionNotice.objects.filter(subject=str(world.bob.sub)).exists()


def test_the_audit_trail_keeps_its_events_without_her_name_or_addresses(
    world, scheduled, django_capture_on_commit_callbacks
):
    deletion = scheduled["deletion"]
    record(actor=None, action=AuditAction.LOGIN_FAILED, note="RITA@home.example.org from 10.0.0.9")
    record(
        actor=world.sam,
        action="admin.user.change",
        obj=world.rita,
        before={"email": "rita@example.org", "username": "rita"},
        after={"email": "rita@example.org", "username": "rita", "first_name": "Rita"},
    )
    bobs = AuditEvent.objects.filter(actor=world.bob).values_list("actor_label", flat=True)
    assert set(bobs) == {"bob"}
    count = AuditEvent.objects.count()

    carry_out(deletion.erase_after + MINUTE, django_capture_on_commit_callbacks)

    label = AccountDeletion.objects.get().anonymous_id
    assert AuditEvent.objects.count() > count
    for event in AuditEvent.objects.all():
        text = f"{event.actor_label} {event.object_repr} {event.note} {event.before} {event.after}"
        assert "rita" not in text.lower(), (event.action, text)
    assert AuditEvent.objects.filter(action="identity.login", actor_label=label).exists()
    assert AuditEvent.objects.filter(
        action="identity.login_failed", note=f"{label} from 10.0.0.9"
    ).exists()
    assert set(bobs) == {"bob"}


def test_a_sponsored_seat_and_memberships_end_with_the_account(
    world, scheduled, django_capture_on_commit_callbacks
):
    from solhost.partners.models import Membership

    Membership.objects.create(user=world.rita, organisation=world.cct, role="partner_member")
    sponsor_seat(organisation=world.cct, resident=world.rita, monthly_cents=800, actor=world.carol)

    carry_out(scheduled["deletion"].erase_after + MINUTE, django_capture_on_commit_callbacks)

    assert not SponsoredSeat.objects.exists()
    assert not Membership.objects.filter(user=world.rita).exists()
    assert AuditEvent.objects.filter(
        action="contributions.stop_seat", note="the resident's account was deleted"
    ).exists()


def test_her_old_exports_go_with_the_account(
    settings, world, scheduled, django_capture_on_commit_callbacks
):
    settings.SOLHOST_EXPORT_INLINE_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        scheduled["browsers"]["rita"].post(reverse("residents:export"))
    assert len(list(settings.SOLHOST_EXPORT_DIR.iterdir())) == 1

    carry_out(scheduled["deletion"].erase_after + MINUTE, django_capture_on_commit_callbacks)

    assert list(settings.SOLHOST_EXPORT_DIR.iterdir()) == []
    assert AccountExport.objects.get(purpose="requested").file_name == ""


def test_a_large_final_export_is_linked_and_opens_without_an_account(
    settings, world, scheduled, django_capture_on_commit_callbacks
):
    settings.SOLHOST_EXPORT_ATTACH_MAX_BYTES = 10
    deletion = scheduled["deletion"]

    carry_out(deletion.erase_after + MINUTE, django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert message.attachments == []
    link = message.body.split("http://testserver", 1)[1].split()[0]
    got = Client().get(link)
    assert got.status_code == 200 and got["Content-Type"] == "application/zip"
    document = json.loads(
        zipfile.ZipFile(io.BytesIO(b"".join(got.streaming_content))).read("export.json")
    )
    assert document["account"]["username"] == "rita"
    assert AuditEvent.objects.filter(action="residents.export.download", actor=None).exists()

    export = AccountExport.objects.get(purpose="final")
    actions.remove_expired_exports(now=export.expires_at)
    assert Client().get(link).status_code == 410


def test_without_the_final_email_nothing_is_erased_and_it_is_tried_again(
    world, scheduled, monkeypatch, django_capture_on_commit_callbacks
):
    deletion = scheduled["deletion"]

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("the mail server is down")

    with monkeypatch.context() as patched:
        patched.setattr(EmailMessage, "send", refuse)
        (outcome,) = carry_out(deletion.erase_after + MINUTE, django_capture_on_commit_callbacks)

    assert outcome.failed and "the mail server is down" in outcome.what
    assert User.objects.get(pk=world.rita.pk).username == "rita"
    assert AccountDeletion.objects.get().pending

    (outcome,) = carry_out(deletion.erase_after + 2 * MINUTE, django_capture_on_commit_callbacks)

    assert not outcome.failed
    assert len(mail.outbox) == 1


def test_running_again_changes_nothing(world, scheduled, django_capture_on_commit_callbacks):
    at = scheduled["deletion"].erase_after + MINUTE
    carry_out(at, django_capture_on_commit_callbacks)
    events, notices = AuditEvent.objects.count(), DeletionNotice.objects.count()

    assert carry_out(at + MINUTE, django_capture_on_commit_callbacks) == []

    assert (AuditEvent.objects.count(), DeletionNotice.objects.count()) == (events, notices)
    assert len(mail.outbox) == 1


def test_the_command_and_the_hourly_job_carry_out_due_deletions(world, scheduled):
    AccountDeletion.objects.update(erase_after=scheduled["deletion"].requested_at)
    out, err = StringIO(), StringIO()

    call_command("delete-due-accounts", stdout=out, stderr=err)

    assert out.getvalue().startswith(f"deletion {scheduled['deletion'].pk}: erased: ")
    assert err.getvalue() == ""
    assert not AccountDeletion.objects.get().pending

    requested = scheduled["deletion"].requested_at
    bob = AccountDeletion.objects.create(
        user=world.bob, requested_at=requested, erase_after=requested
    )

    (done,) = delete_due_accounts.call_local()

    assert done.startswith(f"deletion {bob.pk}: erased: ")
    assert User.objects.get(pk=world.bob.pk).username.startswith("deleted-")
