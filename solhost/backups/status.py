"""What the steward's backups page says: the archives in the backup folder and the account
journal beside them, read from the folder itself (a backup records nothing in the database).
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from solhost.backups import archive
from solhost.identity import account_journal
from solhost.identity.account_journal import JournalProblem
from solhost.identity.databases import at_replica_site

# The nightly backup runs at 03:45: an archive older than this means one was missed.
OVERDUE_AFTER = datetime.timedelta(hours=26)


@dataclass(frozen=True)
class Archive:
    name: str
    made: datetime.datetime
    size: int


@dataclass(frozen=True)
class JournalState:
    since: datetime.datetime | None = None
    changes: int = 0
    # Changes made after the newest archive: what a restore of it would make again.
    since_newest: int = 0
    last_change: datetime.datetime | None = None
    problem: str = ""


@dataclass(frozen=True)
class BackupStatus:
    folder: Path
    keep: int
    at_replica_site: bool
    # The dated archives, newest first.
    archives: list[Archive]
    # Other files in the folder, named as the operator chose (an archive before an upgrade).
    others: list[str]
    overdue: bool
    journal: JournalState | None

    @property
    def newest(self) -> Archive | None:
        return self.archives[0] if self.archives else None


def backup_status(*, now: datetime.datetime) -> BackupStatus:
    folder = Path(settings.SOLHOST_BACKUP_DIR)
    entries = sorted(folder.iterdir()) if folder.is_dir() else []
    files = {
        entry.name: entry for entry in entries if entry.is_file() and not entry.name.startswith(".")
    }
    scheduled = archive.scheduled_names(files)
    archives = [
        Archive(name=name, made=archive.scheduled_time(name), size=files[name].stat().st_size)
        for name in reversed(scheduled)
    ]
    not_others = {*scheduled, account_journal.NAME}
    others = [name for name in files if name not in not_others]
    newest = archives[0].made if archives else None
    return BackupStatus(
        folder=folder,
        keep=settings.SOLHOST_BACKUP_KEEP,
        at_replica_site=at_replica_site(),
        archives=archives,
        others=others,
        overdue=newest is None or now - newest > OVERDUE_AFTER,
        journal=_journal_state(folder / account_journal.NAME, newest),
    )


def _journal_state(path: Path, newest: datetime.datetime | None) -> JournalState | None:
    if not path.is_file():
        return None
    try:
        journal = account_journal.read(path)
    except (JournalProblem, OSError) as problem:
        return JournalState(problem=str(problem))
    return JournalState(
        since=journal.since,
        changes=len(journal.entries),
        since_newest=sum(1 for e in journal.entries if newest is None or e.at > newest),
        last_change=max((e.at for e in journal.entries), default=None),
    )
