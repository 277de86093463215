"""Making a backup archive, keeping the newest few, and restoring one onto an empty installation.

A backup reads the database in one transaction: the table counts, the ledger's balances
and the migration state are read from the same snapshot the dump is taken from (SQLite:
the online backup API on that connection; PostgreSQL: ``pg_dump --snapshot`` with the
transaction's exported snapshot). The files are read after the database, so every file
a stored row names is in the archive.

A restore checks the whole archive and the installation before it changes anything,
restores the database and then the files, verifies the result against the manifest, and
migrates it if this solhost is newer. Then the apps that keep access end what came back
with the archive (``signals.installation_restored``), before anyone is let in.
"""

import datetime
import logging
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction
from django.db.migrations.loader import MigrationLoader

from solhost.backups import archive
from solhost.backups.archive import ArchiveProblem, Member
from solhost.backups.installation import (
    DATABASE_MEMBER,
    KEYS_FOLDER,
    MEDIA_FOLDER,
    PRIVATE,
    SECRET_KEY_MEMBER,
    keys_made_at_start,
    latest_migrations,
    ledger_balances,
    libpq_environment,
    reasons_in_use,
    solhost_version,
    table_row_counts,
    uses_secret_key_file,
    var_files,
)
from solhost.backups.signals import installation_restored
from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.core.dates import moment_with_zone
from solhost.identity import account_journal
from solhost.identity.account_journal import Entry, JournalProblem
from solhost.identity.databases import at_replica_site

logger = logging.getLogger(__name__)


class BackupFailed(Exception):
    """No archive was written; the message says why."""


class RestoreRefused(Exception):
    """Nothing was changed; the message says why."""


class RestoreFailed(Exception):
    """The restore started and then failed or doesn't match its manifest; the message says where."""


def make_backup(*, path: Path, now: datetime.datetime) -> dict[str, Any]:
    """Write one archive at ``path`` (a new file); return its manifest."""
    path = path.absolute()
    archive.compressed(path)
    if not path.parent.is_dir():
        raise BackupFailed(f"{path.parent}: no such folder")
    if path.exists():
        raise BackupFailed(f"{path} exists already: give the new archive a new name")
    for folder in (Path(settings.MEDIA_ROOT), Path(settings.OIDC_KEY_DIR)):
        if path.parent.resolve().is_relative_to(folder.resolve()):
            raise BackupFailed(f"{path}: write archives outside {folder}, which is backed up")
    if connection.in_atomic_block:
        raise BackupFailed("a backup reads the database in a transaction of its own")
    try:
        # Every change after the archive is then known to be in the journal.
        account_journal.start(account_journal.journal_path(), now)
    except OSError:
        logger.exception("the account journal could not be begun")
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".solhost-backup-") as work:
        dump = Path(work) / "database"
        facts = _snapshot_database(dump)
        members = [Member(DATABASE_MEMBER[connection.vendor], dump, PRIVATE)]
        members += var_files(skip=[Path(settings.SOLHOST_BACKUP_DIR)])
        manifest = {
            "format": archive.FORMAT,
            "format_version": archive.FORMAT_VERSION,
            "created": now.astimezone(datetime.UTC).isoformat(),
            "solhost": solhost_version(),
            "database": {
                "vendor": connection.vendor,
                "member": DATABASE_MEMBER[connection.vendor],
                **facts,
            },
            "secret_key": {
                "in_archive": uses_secret_key_file(),
                "note": "var/secret_key is in the archive"
                if uses_secret_key_file()
                else "not in the archive: this installation takes it from SOLHOST_SECRET_KEY",
            },
        }
        return archive.write_archive(path, members=members, manifest=manifest)


def _snapshot_database(target: Path) -> dict[str, Any]:
    """Dump the database to ``target``; its row counts, balances and migrations, all as dumped."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        # The first read fixes what this transaction sees; the dump below sees the same.
        facts = {
            "tables": table_row_counts(),
            "ledger_balances_cents": ledger_balances(),
            "migrations": latest_migrations(),
        }
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            _run(
                ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
                what="pg_dump",
            )
        elif connection.vendor == "sqlite":
            # The transaction above holds SQLite's write lock (transaction_mode IMMEDIATE), so
            # no writer can change the file while a second, read-only connection copies it;
            # copying through the locking connection itself never finishes in WAL mode.
            source = sqlite3.connect(f"file:{connection.settings_dict['NAME']}?mode=ro", uri=True)
            copy = sqlite3.connect(target)
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
        else:
            raise BackupFailed(f"backups know SQLite and PostgreSQL, not {connection.vendor}")
    target.chmod(PRIVATE)
    return facts


def _run(command: list[str], *, what: str) -> None:
    try:
        result = subprocess.run(  # noqa: S603
            command, env=libpq_environment(), capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise BackupFailed(f"{command[0]} is not installed (Debian: postgresql-client)") from None
    if result.returncode != 0:
        raise BackupFailed(f"{what} failed: {result.stderr.strip()}")


def backup_to_directory(
    *, directory: Path, keep: int, now: datetime.datetime
) -> tuple[Path, list[str]]:
    """A dated archive in ``directory``, then delete all but the newest ``keep`` dated archives.

    Returns the archive's path and the names deleted. Only names the dated pattern
    matches are ever deleted, and only after the new archive is complete.
    """
    if keep < 1:
        raise BackupFailed(f"SOLHOST_BACKUP_KEEP is {keep}: keep at least 1 archive")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / archive.scheduled_name(now)
    make_backup(path=path, now=now)
    deleted = delete_old_archives(directory=directory, keep=keep)
    _forget_what_every_archive_holds(directory)
    return path, deleted


def _forget_what_every_archive_holds(directory: Path) -> None:
    """The account journal keeps only the changes made since the oldest dated archive kept:
    a restore of any of them needs no older one, and an erased resident's old password
    hash goes with it. A journal that can't be read is left as it is, and logged."""
    names = archive.scheduled_names(entry.name for entry in directory.iterdir())
    if not names:
        return
    journal = directory / account_journal.NAME
    try:
        account_journal.forget_before(journal, archive.scheduled_time(names[0]))
    except (JournalProblem, OSError):
        logger.exception("the account journal %s was left as it was", journal)


def delete_old_archives(*, directory: Path, keep: int) -> list[str]:
    names = [entry.name for entry in directory.iterdir() if entry.is_file()]
    doomed = archive.scheduled_to_delete(names, keep=keep)
    for name in doomed:
        (directory / name).unlink()
    return doomed


@dataclass(frozen=True)
class Restored:
    manifest: dict[str, Any]
    tables: int
    rows: int
    accounts: int
    files: int
    # Migrations this solhost has and the archive's database hadn't, applied after the check.
    migrated: list[str]
    # Where the account journal came from and what of it is after the archive.
    journal: str
    # What each app that keeps access ended, one line each, for the operator.
    ended: list[str]


def _destinations(manifest: dict[str, Any], path: Path) -> dict[str, tuple[Path, int]]:
    """Where each var/ member goes and with which mode; ArchiveProblem for a member with no place."""
    keys = Path(settings.OIDC_KEY_DIR)
    media = Path(settings.MEDIA_ROOT)
    places = {}
    for entry in manifest["members"]:
        name = entry["name"]
        if name == manifest["database"]["member"]:
            continue
        folder, _, rest = name.partition("/")
        if name == SECRET_KEY_MEMBER:
            places[name] = (Path(settings.VAR_DIR) / "secret_key", PRIVATE)
        elif folder == KEYS_FOLDER and rest and "/" not in rest:
            places[name] = (keys / rest, PRIVATE)
        elif folder == MEDIA_FOLDER and rest:
            places[name] = (media / rest, entry["mode"] & 0o777)
        else:
            raise ArchiveProblem(f"{path}: member {name!r} has no place in an installation")
    return places


def _check_restorable(manifest: dict[str, Any], path: Path) -> None:
    if at_replica_site():
        raise RestoreRefused(
            "this is a replica site (SOLHOST_SITE_REPLICA_URL): an archive is the primary's, "
            "restored at the primary. A site's store is restored with pg_restore and "
            "`solhost sites restored-store`, and its standby is made again from the primary"
        )
    database = manifest.get("database")
    if not isinstance(database, dict) or database.get("member") not in {
        entry["name"] for entry in manifest["members"]
    }:
        raise ArchiveProblem(f"{path}: {archive.MANIFEST} names no database member it holds")
    for field in ("tables", "ledger_balances_cents", "migrations"):
        if not isinstance(database.get(field), dict):
            raise ArchiveProblem(f"{path}: {archive.MANIFEST} database.{field} is missing")
    if database.get("vendor") != connection.vendor:
        raise RestoreRefused(
            f"{path} holds a {database.get('vendor')} database; this installation uses "
            f"{connection.vendor} (DATABASE_URL): restore it into the same kind of database"
        )
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    for app, name in database["migrations"].items():
        if (app, name) not in known:
            raise RestoreRefused(
                f"{path} was made by a newer solhost: its database has migration {app}.{name}, "
                f"which this solhost doesn't have. Install the version that made it "
                f"({manifest.get('solhost')}) and restore with that."
            )
    if reasons := reasons_in_use():
        raise RestoreRefused(
            "this installation is not empty, so restoring would mix two installations: "
            + "; ".join(reasons)
            + ". Restore into a new, never-migrated database and an empty var/ folder."
        )


def _account_changes(
    manifest: dict[str, Any], path: Path, journal: Path | None
) -> tuple[list[Entry], str]:
    """The account journal's changes made after the archive, and a line saying which
    journal they come from. ``journal`` names it; without, the one beside the archive, or
    else this installation's. RestoreRefused for one that can't be read."""
    created = manifest.get("created")
    made = moment_with_zone(created) if isinstance(created, str) else None
    if made is None:
        raise ArchiveProblem(f"{path}: {archive.MANIFEST} created is not a date and time")
    if journal is not None and not journal.is_file():
        raise RestoreRefused(f"{journal}: no account journal there")
    places = (
        [journal]
        if journal
        else [path.parent / account_journal.NAME, account_journal.journal_path()]
    )
    found = next((place for place in places if place.is_file()), None)
    if found is None:
        return [], (
            "account journal: none beside the archive or in SOLHOST_BACKUP_DIR, so no erasure, "
            "new password, renewal, deactivation or disconnect made after the archive is made again"
        )
    try:
        kept = account_journal.read(found)
    except (JournalProblem, OSError) as error:
        raise RestoreRefused(
            f"the account journal can't be read: {error}. Correct it, or name another copy "
            "with --journal"
        ) from None
    # In the journal's order: making them again takes them oldest first.
    changes = [entry for entry in kept.entries if entry.at > made]
    count = len(changes)
    line = f"account journal: {found}, {count} change{'' if count == 1 else 's'} made after the archive"
    if kept.since > made:
        line += (
            f"; it holds changes only since {kept.since:%Y-%m-%d %H:%M} UTC, after the archive "
            "was made: make again any erasure or new password you know of from between"
        )
    return changes, line


def restore(*, path: Path, journal: Path | None = None) -> Restored:
    """Restore the archive at ``path`` into this installation, which must be empty, and
    make again the changes to accounts the account journal (``journal``, or the one found
    beside the archive) holds from after it.

    ArchiveProblem or RestoreRefused before anything changes; RestoreFailed if the
    restore fails part-way or the result doesn't match the manifest.
    """
    path = path.absolute()
    manifest = archive.check_archive(path)
    # The two inputs first, then whether this installation can take them.
    account_changes, journal_line = _account_changes(manifest, path, journal)
    _check_restorable(manifest, path)
    places = _destinations(manifest, path)
    archive_sha256 = archive.file_sha256(path)
    database = manifest["database"]
    connections.close_all()
    with tempfile.TemporaryDirectory(dir=settings.VAR_DIR, prefix=".restore-") as work:
        dump = Path(work) / "database"
        archive.extract(path, {database["member"]: (dump, PRIVATE)})
        _restore_database(dump)
    # The secret key and the one signing key settings made on start give way to the archive's.
    if SECRET_KEY_MEMBER in places:
        places[SECRET_KEY_MEMBER][0].unlink(missing_ok=True)
    if any(name.startswith(f"{KEYS_FOLDER}/") for name in places):
        for key in keys_made_at_start():
            key.path.unlink()
        Path(settings.OIDC_KEY_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        archive.extract(path, places)
    except (ArchiveProblem, OSError) as error:
        raise RestoreFailed(f"the database is restored, but not every file: {error}") from None
    restored = _verify(manifest)
    # The manifest describes the archive's schema, so the check comes first; what ends
    # access below is today's code, so it needs today's schema.
    migrated = _unapplied_migrations()
    if migrated:
        call_command("migrate", interactive=False, verbosity=0)
    note = f"{path.name} (sha256 {archive_sha256}), made {manifest['created']}"
    with transaction.atomic():
        audit.record(
            actor=None,
            action=AuditAction.BACKUP_RESTORE,
            # Read by what must wait for the world to catch up with the archive (payouts).
            after={"archive": path.name, "sha256": archive_sha256, "made": manifest["created"]},
            note=note,
        )
    ended = installation_restored.send(
        sender=Restored,
        note=f"{path.name}, made {manifest['created']}",
        account_changes=account_changes,
    )
    return Restored(
        manifest=manifest,
        tables=len(restored["tables"]),
        rows=sum(restored["tables"].values()),
        accounts=len(restored["ledger_balances_cents"]),
        files=len(places),
        migrated=migrated,
        journal=journal_line,
        ended=[line for _, line in ended if line],
    )


def _restore_database(dump: Path) -> None:
    if connection.vendor == "sqlite":
        source = sqlite3.connect(dump)
        target = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            # The backup API writes the whole file under SQLite's own locks, so it is safe
            # while the (empty) database file exists and another process might open it.
            source.backup(target)
        finally:
            source.close()
            target.close()
        return
    try:
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={connection.settings_dict['NAME']}",
                str(dump),
            ],
            what="pg_restore",
        )
    except BackupFailed as error:
        raise RestoreFailed(f"{error}; the database is left as it was") from None


def _verify(manifest: dict[str, Any]) -> dict[str, Any]:
    """The restored database's facts, if they equal the manifest's; else RestoreFailed."""
    expected = manifest["database"]
    try:
        found = {
            "tables": table_row_counts(),
            "ledger_balances_cents": ledger_balances(),
            "migrations": latest_migrations(),
        }
    except DatabaseError as error:
        raise RestoreFailed(f"the restored database can't be read as solhost's: {error}") from None
    problems = []
    for field, what in [
        ("tables", "rows in table"),
        ("ledger_balances_cents", "cents in ledger account"),
        ("migrations", "latest migration of app"),
    ]:
        for name in sorted(set(expected[field]) | set(found[field])):
            if expected[field].get(name) != found[field].get(name):
                problems.append(
                    f"{what} {name}: restored {found[field].get(name)!r}, "
                    f"manifest {expected[field].get(name)!r}"
                )
    if problems:
        raise RestoreFailed(
            "the restored installation differs from the archive's manifest: " + "; ".join(problems)
        )
    return found


def _unapplied_migrations() -> list[str]:
    loader = MigrationLoader(connection)
    return [
        f"{app}.{name}"
        for app, name in loader.graph.leaf_nodes()
        if (app, name) not in loader.applied_migrations
    ]
