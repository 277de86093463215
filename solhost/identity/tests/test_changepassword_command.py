"""``solhost changepassword`` (Django's command) does what a new password set on the pages
or in the admin does: the account's sessions end, the services they signed in to are told,
and the account journal keeps the change. Rita is the resident; the steward runs it."""

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.management.commands import changepassword
from django.core.management import CommandError, call_command

from solhost.core.audit import AuditAction
from solhost.core.models import AuditEvent
from solhost.identity import account_journal
from solhost.identity.account_journal import Change
from solhost.identity.models import LogoutDelivery, SignedInSession
from solhost.identity.tests.oidc import SCOPES, sign_in_to
from solhost.identity.tests.test_backchannel_logout import client_posting_to, log_in
from solhost.identity.tests.test_backchannel_logout import receiver as receiver
from solhost.test import PASSWORD

NEW = "a passphrase set on the server"


def typed(monkeypatch, *answers: str) -> None:
    """What the steward types at the command's two password prompts, in turn."""
    replies = iter(answers)
    monkeypatch.setattr(
        changepassword.Command, "_get_pass", lambda self, prompt=None: next(replies)
    )


def test_the_sessions_end_and_the_services_are_told(
    world, receiver, settings, monkeypatch, django_capture_on_commit_callbacks
):
    files = client_posting_to(world.mcc_service, receiver.uri)
    sign_in_to(log_in("rita@example.org"), files, scope=SCOPES)
    typed(monkeypatch, NEW, NEW)
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("changepassword", "rita", stdout=out)

    assert out.getvalue().splitlines()[-1] == (
        "Password changed successfully for user 'rita'; 1 session ended, their services told"
    )
    assert authenticate(username="rita", password=NEW) == world.rita
    assert not SignedInSession.objects.filter(user=world.rita).exists()
    assert LogoutDelivery.objects.get().reason == LogoutDelivery.Reason.PASSWORD
    assert len(receiver.received) == 1
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_SET_BY_COMMAND)
    assert (event.object_id, event.note) == (str(world.rita.pk), "1 session ended")
    journal = account_journal.read(Path(settings.SOLHOST_BACKUP_DIR) / account_journal.NAME)
    world.rita.refresh_from_db()
    assert [(e.change, e.detail) for e in journal.entries] == [
        (Change.NEW_PASSWORD, world.rita.password)
    ]


def test_a_password_never_confirmed_changes_and_ends_nothing(world, monkeypatch):
    browser = log_in("rita@example.org")
    typed(monkeypatch, NEW, "something else", NEW, "again else", NEW, "third else")

    with pytest.raises(CommandError, match="Aborting password change for user 'rita'"):
        call_command("changepassword", "rita", stdout=StringIO())

    assert authenticate(username="rita", password=PASSWORD) == world.rita
    assert browser.get("/accounts/").status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.PASSWORD_SET_BY_COMMAND).exists()
