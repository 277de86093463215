"""A restore from an archive made before a change to an account would undo it: the account
journal's changes from after the archive are made again, each only where the account
doesn't show it yet, so that a password set, an account erased, deactivated or let in
again, a renewal, a disconnect or a second factor removed stays done. Through the signal ``solhost restore``
sends (the real command, in its own process, is in solhost/backups/tests/test_round_trip.py),
and through ``solhost account-journal``."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.core.management import CommandError, call_command

from solhost.backups.actions import Restored
from solhost.backups.signals import installation_restored
from solhost.core.audit import AuditAction
from solhost.core.models import AuditEvent
from solhost.identity import account_journal
from solhost.identity.account_journal import Change, Entry
from solhost.identity.models import Consent, ServiceClient, User
from solhost.identity.tests.oidc import SCOPES, make_client, sign_in_to
from solhost.identity.tests.test_backchannel_logout import log_in
from solhost.identity.tests.test_second_factor_pages import with_security_key
from solhost.identity.tests.test_session_claims import with_totp
from solhost.residents.making_again import make_again
from solhost.residents.models import AccountDeletion, DeletionNotice
from solhost.test import PASSWORD

ARCHIVE_MADE = datetime.datetime(2026, 12, 7, 3, 45, tzinfo=datetime.UTC)
NEW_PASSPHRASE = "a passphrase chosen after the archive"


def after(minutes: int) -> datetime.datetime:
    return ARCHIVE_MADE + datetime.timedelta(minutes=minutes)


def added_before_the_archive(factor: Authenticator) -> Authenticator:
    Authenticator.objects.filter(pk=factor.pk).update(created_at=after(-60))
    return Authenticator.objects.get(pk=factor.pk)


@pytest.fixture
def changes(world):
    """What the journal kept after the archive: Rita chose a new password and disconnected
    the files service she had signed in to, Bob's account was erased, the steward
    deactivated Carol's and let Alice in again, and Rita removed her security key."""
    files = make_client(world.mcc_service)
    sign_in_to(log_in("rita@example.org"), files, scope=SCOPES)
    key = added_before_the_archive(with_security_key(world.rita))
    User.objects.filter(pk=world.alice.pk).update(is_active=False)
    return [
        Entry(after(1), Change.NEW_PASSWORD, world.rita.pk, make_password(NEW_PASSPHRASE)),
        Entry(after(2), Change.DISCONNECTED, world.rita.pk, files.client.client_id),
        Entry(after(3), Change.ERASED, world.bob.pk, "deleted-7h3kq2"),
        Entry(after(4), Change.DEACTIVATED, world.carol.pk),
        Entry(after(5), Change.REACTIVATED, world.alice.pk),
        Entry(after(6), Change.SECOND_FACTOR_REMOVED, world.rita.pk, str(key.pk)),
    ]


def restored_with(changes: list[Entry]) -> list[str]:
    answers = installation_restored.send(
        sender=Restored, note="an archive, made 2026-12-07T03:45:00+00:00", account_changes=changes
    )
    return [line for _, line in answers if line.startswith("account journal")]


def test_the_restore_makes_again_each_change_the_archive_lacks(
    world, changes, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lines = restored_with(changes)

    assert lines == [
        "account journal: made again: 1 new password, 1 erasure, 1 deactivation, "
        "1 reactivation, 1 disconnected service, 1 second factor removed; 0 already so or "
        "about an account or service not here"
    ]
    assert authenticate(username="rita", password=NEW_PASSPHRASE) == world.rita
    assert authenticate(username="rita", password=PASSWORD) is None
    assert not Consent.objects.filter(user=world.rita).exists()
    bob = User.objects.get(pk=world.bob.pk)
    assert (bob.username, bob.email, bob.is_active) == ("deleted-7h3kq2", "", False)
    deletion = AccountDeletion.objects.get(user=bob)
    assert (deletion.erased_at, deletion.anonymous_id) == (after(3), "deleted-7h3kq2")
    assert not User.objects.get(pk=world.carol.pk).is_active
    assert User.objects.get(pk=world.alice.pk).is_active
    redone = AuditEvent.objects.filter(action=AuditAction.JOURNAL_REDO).order_by("pk")
    assert [event.note for event in redone] == [
        "new password of 2026-12-07 03:46 UTC",
        "disconnected service of 2026-12-07 03:47 UTC: "
        + ServiceClient.objects.get(client_id=changes[1].detail).name,
        "deactivation of 2026-12-07 03:49 UTC",
        "reactivation of 2026-12-07 03:50 UTC",
        "second factor removed of 2026-12-07 03:51 UTC: webauthn",
    ]
    assert not Authenticator.objects.filter(user=world.rita).exists()
    erased = AuditEvent.objects.get(action=AuditAction.DELETION_ERASE)
    assert erased.note.endswith("made again after a restore, as on 2026-12-07 03:48 UTC")
    # What was made again is in the journal already, under its own moment.
    assert not (Path(settings.SOLHOST_BACKUP_DIR) / account_journal.NAME).exists()


def test_making_the_same_changes_again_does_nothing(world, changes):
    make_again(entries=changes)
    events = AuditEvent.objects.count()

    again = make_again(entries=changes)

    assert not again.made and again.nothing_to_do == len(changes)
    assert AuditEvent.objects.count() == events


def test_an_erasure_after_a_new_password_leaves_the_account_erased(world):
    make_again(
        entries=[
            Entry(after(2), Change.ERASED, world.rita.pk, "deleted-r1ta00"),
            # Given out of order: they are made oldest first.
            Entry(after(1), Change.NEW_PASSWORD, world.rita.pk, make_password(NEW_PASSPHRASE)),
            Entry(after(3), Change.REACTIVATED, world.rita.pk),
        ]
    )

    rita = User.objects.get(pk=world.rita.pk)
    assert rita.username == "deleted-r1ta00"
    assert not rita.is_active and not rita.has_usable_password()


def test_an_erasure_whose_deletion_was_pending_in_the_archive_carries_it_out(world):
    pending = AccountDeletion.objects.create(
        user=world.rita, requested_at=ARCHIVE_MADE, erase_after=after(30)
    )

    make_again(entries=[Entry(after(40), Change.ERASED, world.rita.pk, "deleted-r1ta00")])

    pending.refresh_from_db()
    assert (pending.erased_at, pending.anonymous_id) == (after(40), "deleted-r1ta00")
    assert AccountDeletion.objects.count() == 1


def test_an_erasure_tells_the_partners_again(world, changes):
    sign_in_to(log_in("bob@example.org"), make_client(world.mcc_service), scope=SCOPES)

    make_again(entries=[changes[2]])

    (notice,) = DeletionNotice.objects.all()
    assert notice.organisation == world.mcc and notice.deleted_at == after(3)


def test_a_renewal_takes_the_password_and_copyable_second_factors_again(world):
    with_totp(world.rita)

    outcome = make_again(entries=[Entry(after(1), Change.RENEWED, world.rita.pk, "!renewed-1")])

    assert outcome.made == {Change.RENEWED: 1}
    rita = User.objects.get(pk=world.rita.pk)
    assert rita.password == "!renewed-1" and not rita.has_usable_password()
    assert not Authenticator.objects.filter(user=rita).exists()


def test_a_second_factor_removed_is_taken_again_by_its_id(world):
    with_totp(world.rita)
    app = added_before_the_archive(Authenticator.objects.get(user=world.rita))
    key = added_before_the_archive(with_security_key(world.rita))

    outcome = make_again(
        entries=[Entry(after(1), Change.SECOND_FACTOR_REMOVED, world.rita.pk, str(app.pk))]
    )

    assert outcome.made == {Change.SECOND_FACTOR_REMOVED: 1}
    assert list(Authenticator.objects.filter(user=world.rita)) == [key]
    redone = AuditEvent.objects.get(action=AuditAction.JOURNAL_REDO)
    assert (redone.object_id, redone.note) == (
        str(world.rita.pk),
        "second factor removed of 2026-12-07 03:46 UTC: totp",
    )
    assert not make_again(
        entries=[Entry(after(1), Change.SECOND_FACTOR_REMOVED, world.rita.pk, str(app.pk))]
    ).made


def test_a_second_factor_added_after_the_removal_under_the_same_id_stays(world):
    """A restore numbers new rows from the archive's count, so a factor added after it may
    get the id of one removed after the archive; the journal's removal is older than it."""
    key = with_security_key(world.rita)
    bobs = added_before_the_archive(with_security_key(world.bob))

    outcome = make_again(
        entries=[
            # Rita added hers (now) after the removal it would be mistaken for.
            Entry(after(1), Change.SECOND_FACTOR_REMOVED, world.rita.pk, str(key.pk)),
            # Bob's key bears the id of a factor Rita removed.
            Entry(after(1), Change.SECOND_FACTOR_REMOVED, world.rita.pk, str(bobs.pk)),
        ]
    )

    assert not outcome.made and outcome.nothing_to_do == 2
    assert Authenticator.objects.filter(pk__in=[key.pk, bobs.pk]).count() == 2


def test_changes_about_an_account_or_service_not_here_are_left_out(world):
    outcome = make_again(
        entries=[
            Entry(after(1), Change.NEW_PASSWORD, 999_999, make_password(NEW_PASSPHRASE)),
            Entry(after(2), Change.ERASED, 999_999, "deleted-n0b0dy"),
            Entry(after(3), Change.DISCONNECTED, world.rita.pk, "a-client-made-after-the-archive"),
        ]
    )

    assert not outcome.made and outcome.nothing_to_do == 3
    assert outcome.words() == (
        "made again: nothing; 3 already so or about an account or service not here"
    )


def test_a_restore_with_no_change_after_its_archive_says_nothing_of_the_journal(world):
    assert restored_with([]) == []


@pytest.fixture
def journal(settings, changes):
    path = Path(settings.SOLHOST_BACKUP_DIR) / account_journal.NAME
    # One change from before the archive, which the archive holds.
    account_journal.append(path, Entry(ARCHIVE_MADE, Change.DEACTIVATED, changes[4].resident))
    for change in changes:
        account_journal.append(path, change)
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("account-journal", *args, stdout=out)
    return out.getvalue()


def test_the_command_lists_the_changes_since_a_moment_and_changes_nothing(world, journal, changes):
    listed = run("--since", "2026-12-07T03:45Z")

    assert listed.splitlines() == [
        f"{journal}: every change since 2026-12-07 03:45:00 UTC; 6 listed",
        f"  2026-12-07 03:46:00 UTC  new password  resident {world.rita.pk} (rita)",
        f"  2026-12-07 03:47:00 UTC  disconnected service  resident {world.rita.pk} (rita), "
        f"client {Consent.objects.get(user=world.rita).client.client_id}",
        f"  2026-12-07 03:48:00 UTC  erasure  resident {world.bob.pk} (bob)",
        f"  2026-12-07 03:49:00 UTC  deactivation  resident {world.carol.pk} (carol)",
        f"  2026-12-07 03:50:00 UTC  reactivation  resident {world.alice.pk} (alice)",
        f"  2026-12-07 03:51:00 UTC  second factor removed  resident {world.rita.pk} (rita), "
        f"second factor {changes[5].detail}",
    ]
    assert Authenticator.objects.filter(user=world.rita).exists()
    assert authenticate(username="rita", password=PASSWORD) == world.rita
    assert "7 listed" in run(str(journal))


def test_the_command_makes_them_again(world, journal):
    made = run("--since", "2026-12-07T03:45Z", "--make-again")

    assert made.splitlines()[-1] == (
        "Made again: 1 new password, 1 erasure, 1 deactivation, 1 reactivation, 1 disconnected "
        "service, 1 second factor removed; 0 already so or about an account or service not "
        "here."
    )
    assert authenticate(username="rita", password=NEW_PASSPHRASE) == world.rita
    # The deactivation from before the archive was not made: Alice is let in.
    assert User.objects.get(pk=world.alice.pk).is_active


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--make-again"], r"--make-again needs --since: the moment the restored archive"),
        (["--since", "yesterday"], r"--since 'yesterday': give a date and time with its zone"),
        (["--since", "2026-12-07T03:45"], r"give a date and time with its zone"),
        (["elsewhere.jsonl"], r"elsewhere\.jsonl: no account journal there"),
    ],
)
def test_the_command_refuses_what_it_cannot_use(world, journal, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_a_replica_site_makes_nothing_again(world, journal, settings):
    settings.SOLHOST_SITE_REPLICA_URL = "postgres://standby.example/region"

    with pytest.raises(
        CommandError, match=r"this is a replica site .*make the changes again there"
    ):
        run("--since", "2026-12-07T03:45Z", "--make-again")
    assert authenticate(username="rita", password=PASSWORD) == world.rita


def test_the_command_names_the_line_that_is_wrong_and_makes_nothing(world, journal):
    with journal.open("a") as file:
        file.write('{"at": "2026-12-08T01:00:00+00:00", "change": "password", "resident": 1}\n')

    with pytest.raises(CommandError, match=r"Nothing done: .*line 9: password needs password"):
        run("--since", "2026-12-07T03:45Z", "--make-again")
    assert authenticate(username="rita", password=PASSWORD) == world.rita
