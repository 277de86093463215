"""The account journal: each change a restore must not undo (a new password, a renewal, an
erasure, a deactivation or reactivation, a disconnected service, a second factor removed)
is appended beside the archives once it commits, and read back strictly, naming the line
that isn't right."""

import datetime
import json
import logging
import threading
import time
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from solhost.identity import account_journal, renewals
from solhost.identity import actions as identity_actions
from solhost.identity.account_journal import Change, Entry, JournalProblem
from solhost.identity.models import User
from solhost.identity.tests.oidc import SCOPES, make_client, sign_in_to
from solhost.identity.tests.test_backchannel_logout import log_in
from solhost.identity.tests.test_credential_renewal import renew
from solhost.identity.tests.test_deactivated_accounts import _save_account_in_admin
from solhost.identity.tests.test_second_factor_pages import signed_in, with_security_key
from solhost.identity.tests.test_session_claims import with_totp
from solhost.residents.actions import erase_account
from solhost.residents.models import AccountDeletion
from solhost.test import PASSWORD

AT = datetime.datetime(2026, 12, 7, 3, 45, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)


def kept(settings) -> list[Entry]:
    return account_journal.read(Path(settings.SOLHOST_BACKUP_DIR) / account_journal.NAME).entries


def test_a_new_password_is_kept_with_its_hash_once_it_commits(
    world, settings, django_capture_on_commit_callbacks
):
    rita = log_in("rita@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        changed = rita.post(
            reverse("account_change_password"),
            {
                "oldpassword": PASSWORD,
                "password1": "a new long passphrase",
                "password2": "a new long passphrase",
            },
        )

    assert changed.status_code == 302
    world.rita.refresh_from_db()
    (entry,) = kept(settings)
    assert (entry.change, entry.resident, entry.detail) == (
        Change.NEW_PASSWORD,
        world.rita.pk,
        world.rita.password,
    )
    path = Path(settings.SOLHOST_BACKUP_DIR) / account_journal.NAME
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    header = json.loads(path.read_text().splitlines()[0])
    assert header == {"journal": account_journal.HEADER, "since": entry.at.isoformat()}


def test_a_change_rolled_back_is_not_kept(world, settings, django_capture_on_commit_callbacks):
    @transaction.atomic
    def fails_after_the_change() -> None:
        identity_actions.end_sessions_for_new_password(user=world.rita, keep_session_key=None)
        raise RuntimeError("the password change failed after")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        fails_after_the_change()

    assert not (Path(settings.SOLHOST_BACKUP_DIR) / account_journal.NAME).exists()


def test_deactivation_reactivation_and_disconnects_are_kept_in_order(
    world, settings, django_capture_on_commit_callbacks
):
    files, phone = make_client(world.mcc_service), make_client(world.mcc_service)
    rita = log_in("rita@example.org")
    sign_in_to(rita, files, scope=SCOPES)
    sign_in_to(rita, phone, scope=SCOPES)
    steward = Client()
    steward.force_login(world.sam)

    with django_capture_on_commit_callbacks(execute=True):
        identity_actions.disconnect_service(user=world.rita, client=files.client)
    with django_capture_on_commit_callbacks(execute=True):
        _save_account_in_admin(steward, world.bob, is_active="")
    with django_capture_on_commit_callbacks(execute=True):
        _save_account_in_admin(steward, world.bob, is_active="on")

    # The service's two clients: the resident disconnected the service.
    assert [(e.change, e.resident, e.detail) for e in kept(settings)] == [
        (Change.DISCONNECTED, world.rita.pk, files.client.client_id),
        (Change.DISCONNECTED, world.rita.pk, phone.client.client_id),
        (Change.DEACTIVATED, world.bob.pk, ""),
        (Change.REACTIVATED, world.bob.pk, ""),
    ]


def test_a_disconnect_made_at_a_site_cut_off_is_kept_at_the_primary(
    world, settings, django_capture_on_commit_callbacks
):
    settings.SOLHOST_SITE = "primary"
    files = make_client(world.mcc_service)
    sign_in_to(log_in("rita@example.org"), files, scope=SCOPES)

    with django_capture_on_commit_callbacks(execute=True):
        identity_actions.end_disconnected_elsewhere(
            user=world.rita, client=files.client, at=AT, site="hill"
        )

    assert [(e.change, e.resident, e.detail) for e in kept(settings)] == [
        (Change.DISCONNECTED, world.rita.pk, files.client.client_id)
    ]


def test_a_renewal_is_kept_with_the_unusable_password_it_gave(
    world, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        renew("--account", "rita", "--why", "a copy of the accounts was stolen")

    world.rita.refresh_from_db()
    (entry,) = kept(settings)
    assert (entry.change, entry.detail) == (Change.RENEWED, world.rita.password)
    assert not world.rita.has_usable_password()


def test_a_renewal_keeps_every_account_when_it_starts_in_one_write(
    world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    # Fewer accounts a query than the world has: each read's share is kept.
    monkeypatch.setattr(account_journal, "_READ_AT_ONCE", 2)
    writes = []
    monkeypatch.setattr(account_journal, "append", lambda path, *entries: writes.append(entries))

    with django_capture_on_commit_callbacks(execute=True):
        renewal = renewals.start_renewal(why="a copy of the accounts was stolen")

    (written,) = writes
    accounts = User.objects.order_by("pk")
    assert [(e.change, e.resident, e.detail) for e in written] == [
        (Change.RENEWED, user.pk, user.password) for user in accounts
    ]
    assert len(written) == renewal.total > 2
    assert not any(user.has_usable_password() for user in accounts)

    # Signing them out, batch by batch, keeps nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        renewals.renew_next_batch(renewal_id=renewal.pk, size=renewal.total + 1)
    assert len(writes) == 1


def test_a_second_factor_removed_is_kept_by_its_id_with_the_recovery_codes_it_left(
    world, settings, django_capture_on_commit_callbacks
):
    key = with_security_key(world.rita)
    with_totp(world.rita)
    app = Authenticator.objects.get(user=world.rita, type=Authenticator.Type.TOTP)
    codes = RecoveryCodes.activate(world.rita).instance
    rita = signed_in(world.rita)

    with django_capture_on_commit_callbacks(execute=True):
        rita.post(reverse("mfa_deactivate_totp"))
    with django_capture_on_commit_callbacks(execute=True):
        rita.post(reverse("mfa_remove_webauthn", kwargs={"pk": key.pk}))

    # The app went alone (the key still stood); the codes went with the last factor.
    assert [(e.change, e.resident, e.detail) for e in kept(settings)] == [
        (Change.SECOND_FACTOR_REMOVED, world.rita.pk, str(app.pk)),
        (Change.SECOND_FACTOR_REMOVED, world.rita.pk, str(key.pk)),
        (Change.SECOND_FACTOR_REMOVED, world.rita.pk, str(codes.pk)),
    ]


def test_recovery_codes_made_anew_keep_the_old_set_as_removed(
    world, settings, django_capture_on_commit_callbacks
):
    with_totp(world.rita)
    old = RecoveryCodes.activate(world.rita).instance

    with django_capture_on_commit_callbacks(execute=True):
        signed_in(world.rita).post(reverse("mfa_generate_recovery_codes"))

    new = Authenticator.objects.get(user=world.rita, type=Authenticator.Type.RECOVERY_CODES)
    assert new.pk != old.pk
    assert [(e.change, e.detail) for e in kept(settings)] == [
        (Change.SECOND_FACTOR_REMOVED, str(old.pk))
    ]


def test_a_second_factor_the_steward_deletes_in_the_admin_is_kept(
    world, settings, django_capture_on_commit_callbacks
):
    key = with_security_key(world.rita)
    steward = Client()
    steward.force_login(world.sam)

    with django_capture_on_commit_callbacks(execute=True):
        deleted = steward.post(
            reverse("admin:mfa_authenticator_delete", args=[key.pk]), {"post": "yes"}
        )

    assert deleted.status_code == 302
    assert [(e.change, e.detail) for e in kept(settings)] == [
        (Change.SECOND_FACTOR_REMOVED, str(key.pk))
    ]


def test_the_second_factors_a_renewal_takes_are_kept_by_the_renewal_alone(
    world, settings, django_capture_on_commit_callbacks
):
    with_totp(world.rita)
    RecoveryCodes.activate(world.rita)

    with django_capture_on_commit_callbacks(execute=True):
        renew("--account", "rita", "--why", "a copy of the accounts was stolen")

    assert not Authenticator.objects.filter(user=world.rita).exists()
    assert [entry.change for entry in kept(settings)] == [Change.RENEWED]


def test_an_erasure_is_kept_by_its_anonymous_id_and_not_by_the_factors_it_took(
    world, settings, django_capture_on_commit_callbacks
):
    with_security_key(world.rita)
    now = timezone.now()
    deletion = AccountDeletion.objects.create(
        user=world.rita, requested_at=now, erase_after=now, final_email_sent_at=now
    )

    with django_capture_on_commit_callbacks(execute=True):
        erased = erase_account(deletion=deletion, now=now)

    assert erased is not None
    assert not Authenticator.objects.filter(user=world.rita).exists()
    assert [(e.change, e.resident, e.detail) for e in kept(settings)] == [
        (Change.ERASED, world.rita.pk, erased.deletion.anonymous_id)
    ]


def test_a_replica_site_keeps_no_journal(world, settings, django_capture_on_commit_callbacks):
    settings.SOLHOST_SITE_REPLICA_URL = "postgres://standby.example/region"
    with django_capture_on_commit_callbacks(execute=True):
        account_journal.keep(change=Change.NEW_PASSWORD, resident_id=world.rita.pk)

    assert not (Path(settings.SOLHOST_BACKUP_DIR) / account_journal.NAME).exists()


def test_a_journal_that_cannot_be_written_is_logged_and_the_change_stands(
    world, settings, caplog, django_capture_on_commit_callbacks
):
    # A file where the folder should be: nothing can be written beneath it.
    settings.SOLHOST_BACKUP_DIR.parent.mkdir(parents=True, exist_ok=True)
    settings.SOLHOST_BACKUP_DIR.write_text("not a folder")
    world.rita.set_password("a new long passphrase")
    world.rita.save()

    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        identity_actions.end_sessions_for_new_password(user=world.rita, keep_session_key=None)

    assert "the account journal could not keep password of resident" in caplog.text
    assert User.objects.get(pk=world.rita.pk).check_password("a new long passphrase")


def entry(minutes: int, change=Change.DEACTIVATED, resident=7, detail="") -> Entry:
    return Entry(at=AT + minutes * MINUTE, change=change, resident=resident, detail=detail)


def test_what_is_appended_reads_back(tmp_path):
    path = tmp_path / "backups" / account_journal.NAME
    written = [
        entry(1, Change.NEW_PASSWORD, detail="argon2$…"),
        entry(2, Change.ERASED, detail="deleted-4k2j"),
        entry(3, Change.DISCONNECTED, detail="client-id"),
        entry(4, Change.REACTIVATED),
    ]
    for each in written:
        account_journal.append(path, each)

    journal = account_journal.read(path)
    assert journal.since == written[0].at
    assert journal.entries == written


def test_writers_at_once_each_get_a_whole_line(tmp_path):
    path = tmp_path / account_journal.NAME

    def write(resident: int) -> None:
        for minute in range(25):
            account_journal.append(path, entry(minute, resident=resident))

    threads = [threading.Thread(target=write, args=(resident,)) for resident in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    entries = account_journal.read(path).entries
    assert len(entries) == 200
    assert sorted({e.resident for e in entries}) == list(range(1, 9))


def test_forgetting_keeps_what_the_oldest_archive_lacks(tmp_path):
    path = tmp_path / account_journal.NAME
    for minutes in (1, 2, 3, 4):
        account_journal.append(path, entry(minutes, resident=minutes))

    assert account_journal.forget_before(path, AT + 3 * MINUTE) == 2
    journal = account_journal.read(path)
    assert journal.since == AT + 3 * MINUTE
    assert [e.resident for e in journal.entries] == [3, 4]
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [account_journal.NAME]
    # Nothing older left: nothing to do, and the file stays as it is.
    assert account_journal.forget_before(path, AT) == 0
    assert account_journal.forget_before(tmp_path / "none.jsonl", AT) == 0


def test_a_writer_waiting_while_the_journal_is_replaced_writes_to_the_new_one(tmp_path):
    path = tmp_path / account_journal.NAME
    account_journal.append(path, entry(1, resident=1))
    waiting = threading.Thread(target=account_journal.append, args=(path, entry(5, resident=5)))
    with account_journal._locked(path):
        waiting.start()
        # Let it open the file and wait for the lock, as a writer during the nightly pruning.
        time.sleep(0.3)
        replacement = tmp_path / "replacement"
        replacement.write_bytes(account_journal._header(AT + 2 * MINUTE))
        replacement.replace(path)
    waiting.join()

    journal = account_journal.read(path)
    assert journal.since == AT + 2 * MINUTE
    assert [e.resident for e in journal.entries] == [5]


HEADER = json.dumps({"journal": account_journal.HEADER, "since": AT.isoformat()})


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], r"empty, with no first line saying since when"),
        (['{"journal": "notes"}'], r"line 1: not the start of a solhost account journal"),
        ([HEADER, "{not json"], r"line 2: not JSON"),
        ([HEADER, "[1, 2]"], r"line 2: not a JSON object"),
        (
            [HEADER, '{"at": "2026-12-08T01:00:00+00:00", "change": "moved", "resident": 7}'],
            r"line 2: change is 'moved', not one of password, renewed, erased",
        ),
        (
            [
                HEADER,
                '{"at": "2026-12-08T01:00:00+00:00", "change": "deactivated", "resident": "7"}',
            ],
            r"line 2: resident is '7', not an account's id",
        ),
        (
            [HEADER, '{"at": "2026-12-08T01:00:00+00:00", "change": "password", "resident": 7}'],
            r"line 2: password needs password, a non-empty text",
        ),
        (
            [
                HEADER,
                '{"at": "2026-12-08T01:00:00+00:00", "change": "deactivated", "resident": 7, '
                '"password": "x"}',
            ],
            r"line 2: deactivated has no field password",
        ),
        (
            [
                HEADER,
                '{"at": "2026-12-08T01:00:00+00:00", "change": "second-factor-removed", '
                '"resident": 7, "authenticator": "the blue key"}',
            ],
            r"line 2: second-factor-removed needs authenticator, a second factor's id",
        ),
        (
            [HEADER, '{"at": "2026-12-08 01:00", "change": "deactivated", "resident": 7}'],
            r"line 2: at: not a date and time with its offset: '2026-12-08 01:00'",
        ),
    ],
)
def test_a_journal_that_is_not_one_is_refused_naming_the_line(tmp_path, lines, message):
    path = tmp_path / account_journal.NAME
    path.write_text("".join(f"{line}\n" for line in lines))

    with pytest.raises(JournalProblem, match=message):
        account_journal.read(path)
    with pytest.raises(JournalProblem, match=message):
        account_journal.forget_before(path, AT)
    assert path.read_text() == "".join(f"{line}\n" for line in lines)
