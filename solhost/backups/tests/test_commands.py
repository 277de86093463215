"""``solhost backup`` and ``solhost restore`` refusing what they must, with a clear message and
nothing changed; and the nightly job keeping only the newest archives."""

import datetime
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from solhost.backups import actions, archive
from solhost.backups.actions import BackupFailed
from solhost.backups.archive import FORMAT, FORMAT_VERSION, Member, scheduled_name, write_archive
from solhost.backups.tasks import back_up
from solhost.core.models import AuditEvent
from solhost.identity import account_journal
from solhost.identity.account_journal import Change, Entry

DATABASE_MEMBER = {"sqlite": "database/solhost.sqlite3", "postgresql": "database/solhost.pgdump"}


def sound_archive(
    folder: Path, *, vendor: str, format_version: int = FORMAT_VERSION, **database
) -> Path:
    """A well-formed archive holding a database, a signing key and one upload."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "db").write_bytes(b"a database")
    (folder / "key").write_bytes(b"a signing key")
    (folder / "upload").write_bytes(b"an invoice")
    path = folder / "backup.tar"
    write_archive(
        path,
        members=[
            Member(DATABASE_MEMBER[vendor], folder / "db", 0o600),
            Member("oidc-keys/rsa-20260101T000000000000Z.pem", folder / "key", 0o600),
            Member("media/evidence/invoice.pdf", folder / "upload", 0o644),
        ],
        manifest={
            "format": FORMAT,
            "format_version": format_version,
            "created": "2026-01-01T00:00:00+00:00",
            "solhost": {"version": "0.1.0", "commit": None},
            "database": {
                "vendor": vendor,
                "member": DATABASE_MEMBER[vendor],
                "tables": {},
                "ledger_balances_cents": {},
                "migrations": {},
                **database,
            },
            "secret_key": {"in_archive": False, "note": "not in the archive"},
        },
    )
    return path


@pytest.fixture
def var(settings, tmp_path):
    """This installation's var/: a secret key, one signing key and one upload of its own."""
    settings.VAR_DIR = tmp_path / "var"
    settings.OIDC_KEY_DIR = settings.VAR_DIR / "oidc-keys"
    settings.MEDIA_ROOT = settings.VAR_DIR / "media"
    settings.SOLHOST_BACKUP_DIR = settings.VAR_DIR / "backups"
    settings.OIDC_KEY_DIR.mkdir(parents=True)
    (settings.OIDC_KEY_DIR / "rsa-20250101T000000000000Z.pem").write_text("our key")
    (settings.VAR_DIR / "secret_key").write_text("our secret")
    (settings.MEDIA_ROOT / "evidence").mkdir(parents=True)
    (settings.MEDIA_ROOT / "evidence" / "ours.pdf").write_text("our upload")
    return settings.VAR_DIR


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def restore_refused(path: Path, var: Path, message: str, *args: str) -> None:
    """``solhost restore`` fails with ``message`` and changes neither var/ nor the database."""
    before = files_under(var), AuditEvent.objects.count(), connection.introspection.table_names()
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(path), *args)
    after = files_under(var), AuditEvent.objects.count(), connection.introspection.table_names()
    assert after == before


@pytest.mark.django_db
def test_a_damaged_member_is_refused_by_name_and_nothing_changes(var, tmp_path):
    path = sound_archive(tmp_path / "made", vendor=connection.vendor)
    data = path.read_bytes()
    path.write_bytes(data.replace(b"an invoice", b"an invoicE"))

    restore_refused(
        path,
        var,
        r"Nothing restored: .*member 'media/evidence/invoice\.pdf' is damaged: its sha256 is "
        r"[0-9a-f]{64} \(10 bytes\), manifest\.json says [0-9a-f]{64}",
    )


@pytest.mark.django_db
def test_an_archive_without_a_manifest_is_refused(var, tmp_path):
    path = tmp_path / "plain.tar"
    subprocess.run(["tar", "cf", str(path), "-C", str(var), "secret_key"], check=True)

    restore_refused(path, var, r"no manifest\.json inside: not a solhost backup archive")


@pytest.mark.django_db
def test_an_archive_of_an_unknown_format_version_is_refused(var, tmp_path):
    path = sound_archive(tmp_path / "made", vendor=connection.vendor, format_version=99)

    restore_refused(path, var, r"format version 99; this solhost reads version 1 only")


@pytest.mark.django_db
def test_a_non_empty_installation_is_refused_and_left_as_it_was(var, tmp_path):
    path = sound_archive(tmp_path / "made", vendor=connection.vendor)

    restore_refused(
        path,
        var,
        r"Nothing restored: this installation is not empty, so restoring would mix two "
        r"installations: the database .* has \d+ tables .*; the signing key folder .* holds keys "
        r"from before \(1\); MEDIA_ROOT .* holds files \(1\)\. Restore into a new, never-migrated database",
    )


@pytest.mark.django_db
def test_an_archive_of_the_other_database_or_a_newer_solhost_is_refused(var, tmp_path):
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    restore_refused(
        sound_archive(tmp_path / "other", vendor=other),
        var,
        f"holds a {other} database; this installation uses {connection.vendor}",
    )
    restore_refused(
        sound_archive(
            tmp_path / "newer", vendor=connection.vendor, migrations={"ledger": "9999_later"}
        ),
        var,
        r"made by a newer solhost: its database has migration ledger\.9999_later",
    )


@pytest.mark.django_db
def test_a_replica_site_refuses_the_primarys_archive(var, tmp_path, settings):
    settings.SOLHOST_SITE = "hill"
    settings.SOLHOST_SITE_REPLICA_URL = "postgres://standby.example/region"

    restore_refused(
        sound_archive(tmp_path / "made", vendor=connection.vendor),
        var,
        r"Nothing restored: this is a replica site \(SOLHOST_SITE_REPLICA_URL\): an archive is "
        r"the primary's, restored at the primary\. A site's store is restored with pg_restore",
    )


@pytest.mark.django_db
def test_an_account_journal_beside_the_archive_that_is_not_one_is_refused_by_line(var, tmp_path):
    archive = sound_archive(tmp_path / "made", vendor=connection.vendor)
    (archive.parent / account_journal.NAME).write_text(
        json.dumps({"journal": account_journal.HEADER, "since": "2026-01-01T00:00:00+00:00"})
        + '\n{"at": "2026-01-02T00:00:00+00:00", "change": "erased", "resident": 4}\n'
    )

    restore_refused(
        archive,
        var,
        r"Nothing restored: the account journal can't be read: .*account-journal\.jsonl, line 2: "
        r"erased needs label, a non-empty text\. Correct it, or name another copy with --journal",
    )


@pytest.mark.django_db
def test_an_account_journal_named_that_is_not_there_is_refused(var, tmp_path):
    restore_refused(
        sound_archive(tmp_path / "made", vendor=connection.vendor),
        var,
        r"Nothing restored: .*elsewhere\.jsonl: no account journal there",
        "--journal",
        str(tmp_path / "elsewhere.jsonl"),
    )


MADE = {"created": "2026-01-01T00:00:00+00:00"}


def journal_at(path: Path, since: str, *changes: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = json.dumps({"journal": account_journal.HEADER, "since": since})
    path.write_text("".join(f"{line}\n" for line in [header, *changes]))
    return path


def change_at(at: str) -> str:
    return json.dumps({"at": at, "change": "deactivated", "resident": 4})


def test_the_restore_says_it_found_no_account_journal(settings, tmp_path):
    changes, line = actions._account_changes(MADE, tmp_path / "backup.tar", None)

    assert changes == []
    assert line == (
        "account journal: none beside the archive or in SOLHOST_BACKUP_DIR, so no erasure, new "
        "password, renewal, deactivation or disconnect made after the archive is made again"
    )


def test_the_journal_beside_the_archive_comes_before_this_installation_s(settings, tmp_path):
    beside = journal_at(
        tmp_path / account_journal.NAME,
        "2025-12-31T00:00:00+00:00",
        change_at("2025-12-31T12:00:00+00:00"),
        change_at("2026-01-01T00:00:01+00:00"),
        change_at("2026-01-02T00:00:00+00:00"),
    )
    journal_at(settings.SOLHOST_BACKUP_DIR / account_journal.NAME, "2026-01-01T00:00:00+00:00")

    changes, line = actions._account_changes(MADE, tmp_path / "backup.tar", None)

    # Only what came after the archive, oldest first.
    assert [change.at.day for change in changes] == [1, 2]
    assert line == f"account journal: {beside}, 2 changes made after the archive"


def test_a_journal_begun_after_the_archive_is_said_to_miss_what_came_between(settings, tmp_path):
    named = journal_at(tmp_path / "copy.jsonl", "2026-01-03T09:30:00+00:00")

    _, line = actions._account_changes(MADE, tmp_path / "backup.tar", named)

    assert line == (
        f"account journal: {named}, 0 changes made after the archive; it holds changes only "
        "since 2026-01-03 09:30 UTC, after the archive was made: make again any erasure or new "
        "password you know of from between"
    )


def run_restore(var: Path, archive: Path) -> subprocess.CompletedProcess:
    """``solhost restore`` in its own process, on a new SQLite database in ``var``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOLHOST_", "DATABASE_URL"))}
    env |= {"SOLHOST_VAR_DIR": str(var), "DATABASE_URL": f"sqlite:///{var / 'new.sqlite3'}"}
    solhost = Path(sys.executable).parent / "solhost"
    return subprocess.run(
        [solhost, "restore", str(archive)], env=env, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("left_over", "named"),
    [
        ("media/evidence/old.pdf", r"MEDIA_ROOT .* holds files \(1\)"),
        (
            "oidc-keys/rsa-20250101T000000000000Z.pem",
            r"signing key folder .* holds keys from before \(1\)",
        ),
    ],
)
def test_files_left_in_var_make_an_installation_with_an_empty_database_non_empty(
    tmp_path, left_over, named
):
    """Settings make a signing key on start when there is none, which doesn't count; an
    upload or a key from before does (the round trip restores with a key settings made)."""
    var = tmp_path / "var"
    (var / left_over).parent.mkdir(parents=True)
    (var / left_over).write_text("left over")
    archive = sound_archive(tmp_path / "made", vendor="sqlite")

    result = run_restore(var, archive)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert re.search(named, result.stderr), result.stderr
    assert (var / left_over).read_text() == "left over"
    assert not (var / "media" / "evidence" / "invoice.pdf").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("backup.zip", r"backup\.zip: an archive's name ends in \.tar, \.tar\.gz or \.tgz"),
        ("missing/backup.tar", r"missing: no such folder"),
        ("media/backup.tar", r"write archives outside .*media, which is backed up"),
    ],
)
def test_backup_refuses_a_path_it_cannot_use(var, name, message):
    with pytest.raises(CommandError, match=f"No backup written: .*{message}"):
        call_command("backup", str(var / name))
    assert not (var / name).exists()


@pytest.mark.django_db
def test_backup_never_overwrites_an_archive(var):
    (var / "backup.tar").write_text("last week's archive")

    with pytest.raises(CommandError, match=r"backup\.tar exists already"):
        call_command("backup", str(var / "backup.tar"))
    assert (var / "backup.tar").read_text() == "last week's archive"


def dated(day: int) -> str:
    return scheduled_name(datetime.datetime(2026, 3, day, 3, 45, tzinfo=datetime.UTC))


@pytest.fixture
def backups(settings, tmp_path, monkeypatch):
    """The backup folder with five older dated archives and files of other kinds."""
    settings.SOLHOST_BACKUP_DIR = tmp_path / "backups"
    settings.SOLHOST_BACKUP_KEEP = 3
    settings.SOLHOST_BACKUP_DIR.mkdir()
    for name in [*(dated(day) for day in range(1, 6)), "before-upgrade.tar.gz", "notes.txt"]:
        (settings.SOLHOST_BACKUP_DIR / name).write_text(name)
    written = []

    def make_backup(*, path, now):
        path.write_text("new")
        written.append(path.name)

    monkeypatch.setattr(actions, "make_backup", make_backup)
    return written


def test_the_nightly_job_writes_a_dated_archive_and_keeps_the_newest(settings, backups):
    name = back_up.call_local()

    assert backups == [name]
    assert name.startswith("solhost-backup-") and name.endswith(".tar.gz")
    assert sorted(p.name for p in settings.SOLHOST_BACKUP_DIR.iterdir()) == sorted(
        [dated(4), dated(5), name, "before-upgrade.tar.gz", "notes.txt"]
    )


def test_a_failed_backup_deletes_no_older_archive(settings, backups, monkeypatch):
    def fails(*, path, now):
        raise BackupFailed("pg_dump failed: connection refused")

    monkeypatch.setattr(actions, "make_backup", fails)
    before = sorted(settings.SOLHOST_BACKUP_DIR.iterdir())

    with pytest.raises(CommandError, match="No backup written: pg_dump failed"):
        call_command("backup")
    assert sorted(settings.SOLHOST_BACKUP_DIR.iterdir()) == before


def test_the_nightly_job_forgets_the_journal_s_changes_every_kept_archive_holds(settings, backups):
    journal = settings.SOLHOST_BACKUP_DIR / account_journal.NAME
    for day in range(1, 7):
        at = archive.scheduled_time(dated(day))
        account_journal.append(journal, Entry(at, Change.DEACTIVATED, day))

    back_up.call_local()

    # Kept: the archives of the 4th and 5th and tonight's; the 4th's is the oldest.
    kept = account_journal.read(journal)
    assert kept.since == archive.scheduled_time(dated(4))
    assert [entry.resident for entry in kept.entries] == [4, 5, 6]


def test_keeping_no_archive_is_refused(settings, backups):
    settings.SOLHOST_BACKUP_KEEP = 0

    with pytest.raises(CommandError, match="SOLHOST_BACKUP_KEEP is 0: keep at least 1"):
        call_command("backup")
    assert backups == []
