"""The account journal: changes to residents' accounts that a restore must make again,
kept in a file beside the backup archives, outside the database.

An archive brings the database back as it was when it was made, so whatever changed
after is gone with it. Most of that is lost work, but some changes must not be undone:
an erasure (the resident asked for it, and the law says it stays done), a new password
or a renewal of credentials (the old secret may be known to someone else), a steward's
deactivation or reactivation, a service the resident disconnected, a second factor taken
away (it may have gone with a stolen phone). Each is appended here once its transaction
commits, at the primary (a replica site's changes reach the primary, which keeps them),
and ``solhost restore`` makes again the ones made after its archive.

The file is ``SOLHOST_BACKUP_DIR/account-journal.jsonl``, copied off the machine with the
archives. One JSON object a line: the first says since when the journal holds every
change (``{"journal": "solhost account journal", "since": …}``), each other is a change:
``at``, ``change``, ``resident`` (the account's id) and what the change needs to be made
again: the password hash (``password``, ``renewed``), the anonymous id (``erased``), the
service's client id (``disconnected``) or the second factor's id (``second-factor-removed``:
an authenticator app, a security key or a set of recovery codes the resident, or the
steward, took away; recovery codes made anew take the old set away). The nightly backup
forgets the changes older than every dated archive it keeps (``forget_before``).
"""

import contextlib
import contextvars
import datetime
import enum
import fcntl
import itertools
import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from solhost.core.dates import moment_with_zone
from solhost.core.files import replace_whole
from solhost.identity.databases import at_replica_site

logger = logging.getLogger(__name__)

NAME = "account-journal.jsonl"
HEADER = "solhost account journal"
# Accounts read a query when many changes are kept at once: SQLite refuses a statement
# with too many parameters.
_READ_AT_ONCE = 500


class Change(enum.StrEnum):
    NEW_PASSWORD = "password"  # noqa: S105 (the name of a change, not a password)
    RENEWED = "renewed"
    ERASED = "erased"
    DEACTIVATED = "deactivated"
    REACTIVATED = "reactivated"
    DISCONNECTED = "disconnected"
    SECOND_FACTOR_REMOVED = "second-factor-removed"


# What each change keeps beside when, which and whose: the one field it is made again from.
_FIELD = {
    Change.NEW_PASSWORD: "password",
    Change.RENEWED: "password",
    Change.ERASED: "label",
    Change.DISCONNECTED: "client",
    Change.SECOND_FACTOR_REMOVED: "authenticator",
}


@dataclass(frozen=True)
class Entry:
    at: datetime.datetime
    change: Change
    resident: int
    # The password hash of a new password or renewal, the anonymous id of an erasure, the
    # client id of a disconnected service, the id of a second factor removed; empty for
    # the others.
    detail: str = ""


@dataclass(frozen=True)
class Journal:
    # The journal holds every change made since this moment.
    since: datetime.datetime
    entries: list[Entry]


class JournalProblem(Exception):
    """The journal can't be read; the message says where (file and line)."""


def journal_path() -> Path:
    return Path(settings.SOLHOST_BACKUP_DIR) / NAME


_kept_otherwise: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "kept_otherwise", default=False
)


@contextlib.contextmanager
def kept_otherwise() -> Iterator[None]:
    """The changes made inside are not kept one by one, because the journal holds them
    otherwise: a restore making them again from it, the second factors an erasure or a
    renewal takes, which making the erasure or renewal again takes too, and a renewal's
    accounts as it signs them out, which its start kept all at once."""
    token = _kept_otherwise.set(True)
    try:
        yield
    finally:
        _kept_otherwise.reset(token)


def keep(
    *, change: Change, resident_id: int, client_id: str = "", authenticator_id: int = 0
) -> None:
    """Append the change once the current transaction commits (at once outside one).

    The password hash and anonymous id are read from the account as committed. A journal
    that can't be written (a full disk) is logged as an error and does not undo the change,
    which has committed: the next archive holds it."""
    detail = {
        Change.DISCONNECTED: client_id,
        Change.SECOND_FACTOR_REMOVED: str(authenticator_id),
    }.get(change, "")
    _keep_after_commit(change=change, details={resident_id: detail})


def keep_each(*, change: Change, resident_ids: list[int]) -> None:
    """Append ``change`` of every account of ``resident_ids`` once the current transaction
    commits, in one write: a renewal of every account, which one write each would keep
    waiting on the disk as long again. As ``keep`` otherwise."""
    _keep_after_commit(change=change, details=dict.fromkeys(resident_ids, ""))


def _keep_after_commit(*, change: Change, details: dict[int, str]) -> None:
    """Append ``change`` of each account of ``details`` (its id: what the change keeps,
    unless read from the account) after the commit."""
    if at_replica_site() or _kept_otherwise.get() or not details:
        return
    # When the database had it: an archive made before lacks it, whatever moment the
    # change itself names (a renewal's start, a disconnect made at a site cut off).
    at = timezone.now()

    def write() -> None:
        ids = list(details)
        accounts = itertools.chain.from_iterable(
            get_user_model()
            .objects.filter(pk__in=ids[first : first + _READ_AT_ONCE])
            .values_list("pk", "password", "username")
            for first in range(0, len(ids), _READ_AT_ONCE)
        )
        read_from_account = {
            pk: {
                Change.NEW_PASSWORD: password,
                Change.RENEWED: password,
                Change.ERASED: username,
            }.get(change, details[pk])
            for pk, password, username in accounts
        }
        # In the order given; an account gone since has nothing to make again.
        entries = [
            Entry(at=at, change=change, resident=pk, detail=read_from_account[pk])
            for pk in details
            if pk in read_from_account
        ]
        try:
            append(journal_path(), *entries)
        except OSError:
            logger.exception(
                "the account journal could not keep %s of %s",
                change,
                f"resident {entries[0].resident}"
                if len(entries) == 1
                else f"{len(entries)} residents",
            )

    transaction.on_commit(write)


def _line(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, sort_keys=True) + "\n").encode()


def _entry_json(entry: Entry) -> dict[str, Any]:
    data: dict[str, Any] = {
        "at": entry.at.astimezone(datetime.UTC).isoformat(),
        "change": entry.change.value,
        "resident": entry.resident,
    }
    if entry.change in _FIELD:
        data[_FIELD[entry.change]] = entry.detail
    return data


def _header(since: datetime.datetime) -> bytes:
    return _line({"journal": HEADER, "since": since.astimezone(datetime.UTC).isoformat()})


def _is_the_file_at(fd: int, path: Path) -> bool:
    try:
        named = path.stat()
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (opened.st_dev, opened.st_ino) == (named.st_dev, named.st_ino)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[int]:
    """The journal's file, created (mode 0600) if missing, locked against every other writer.

    A pruning replaces the file while this waits for the lock: then the new one is opened."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if _is_the_file_at(fd, path):
                yield fd
                return
        finally:
            os.close(fd)


def start(path: Path, since: datetime.datetime) -> None:
    """Begin the journal at ``path`` as holding every change from ``since`` on, unless it
    has begun already. A backup does, before its snapshot, so that the journal is known to
    hold every change made after the archive."""
    with _locked(path) as fd:
        if os.fstat(fd).st_size == 0:
            os.write(fd, _header(since))
            os.fsync(fd)


def append(path: Path, *entries: Entry) -> None:
    """Changes at the end of the journal at ``path``, on disk when this returns."""
    if not entries:
        return
    with _locked(path) as fd:
        if os.fstat(fd).st_size == 0:
            # Begun by these changes: nothing says it holds any made before.
            os.write(fd, _header(min(entry.at for entry in entries)))
        lines = b"".join(_line(_entry_json(entry)) for entry in entries)
        # os.write may write less than it is given; what it wrote stays, the rest follows.
        while lines:
            lines = lines[os.write(fd, lines) :]
        os.fsync(fd)


def _moment(value: Any, where: str) -> datetime.datetime:
    moment = moment_with_zone(value) if isinstance(value, str) else None
    if moment is None:
        raise JournalProblem(f"{where}: not a date and time with its offset: {value!r}")
    return moment


def _parse(line: str, where: str) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except ValueError as error:
        raise JournalProblem(f"{where}: not JSON ({error})") from None
    if not isinstance(data, dict):
        raise JournalProblem(f"{where}: not a JSON object")
    return data


def _entry(data: dict[str, Any], where: str) -> Entry:
    try:
        change = Change(data.get("change"))
    except ValueError:
        raise JournalProblem(
            f"{where}: change is {data.get('change')!r}, not one of {', '.join(Change)}"
        ) from None
    resident = data.get("resident")
    if not isinstance(resident, int) or isinstance(resident, bool) or resident < 1:
        raise JournalProblem(f"{where}: resident is {resident!r}, not an account's id")
    fields = {"at", "change", "resident", *([_FIELD[change]] if change in _FIELD else [])}
    if unknown := sorted(set(data) - fields):
        raise JournalProblem(f"{where}: {change} has no field {', '.join(unknown)}")
    detail = ""
    if change in _FIELD:
        detail = data.get(_FIELD[change])
        if not isinstance(detail, str) or not detail:
            raise JournalProblem(f"{where}: {change} needs {_FIELD[change]}, a non-empty text")
        if change is Change.SECOND_FACTOR_REMOVED and not re.fullmatch(r"[1-9][0-9]*", detail):
            raise JournalProblem(f"{where}: {change} needs authenticator, a second factor's id")
    return Entry(
        at=_moment(data.get("at"), f"{where}: at"), change=change, resident=resident, detail=detail
    )


def read(path: Path) -> Journal:
    """The journal at ``path``; JournalProblem naming the line that isn't one."""
    try:
        lines = path.read_bytes().decode().splitlines()
    except UnicodeDecodeError:
        raise JournalProblem(f"{path}: not UTF-8 text") from None
    if not lines:
        raise JournalProblem(
            f"{path}: empty, with no first line saying since when it holds changes"
        )
    header = _parse(lines[0], f"{path}, line 1")
    if header.get("journal") != HEADER:
        raise JournalProblem(f"{path}, line 1: not the start of a {HEADER}")
    since = _moment(header.get("since"), f"{path}, line 1: since")
    entries = [
        _entry(_parse(line, f"{path}, line {number}"), f"{path}, line {number}")
        for number, line in enumerate(lines[1:], start=2)
        if line.strip()
    ]
    return Journal(since=since, entries=entries)


def forget_before(path: Path, moment: datetime.datetime) -> int:
    """Take out of the journal the changes made before ``moment``, which every archive kept
    holds already. Returns how many; JournalProblem (and nothing changed) if it can't be read."""
    if not path.exists():
        return 0
    with _locked(path):
        journal = read(path)
        kept = [entry for entry in journal.entries if entry.at >= moment]
        forgotten = len(journal.entries) - len(kept)
        if not forgotten:
            return 0
        # Writers waiting for the lock see the file replaced and open the new one.
        replace_whole(
            path,
            _header(max(journal.since, moment))
            + b"".join(_line(_entry_json(entry)) for entry in kept),
        )
    return forgotten
