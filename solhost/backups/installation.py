"""What a backup holds from this installation, and whether an installation is still empty.

Kept: the database, ``var/secret_key`` (when the key comes from that file), the OpenID
Connect signing keys and the uploaded files under MEDIA_ROOT. Everything else under var/
is rebuilt or disposable: static files (collectstatic), mail written to files, the huey
queue, caches, and the backups themselves.
"""

import datetime
import os
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.recorder import MigrationRecorder

from solhost.backups.archive import Member
from solhost.identity.signing_keys import KeyFile, key_files
from solhost.identity.subjects import pairwise_key_file
from solhost.ledger.books import balances

SECRET_KEY_MEMBER = "secret_key"  # noqa: S105 (a member's name, not a key)
KEYS_FOLDER = "oidc-keys"
MEDIA_FOLDER = "media"
DATABASE_MEMBER = {"sqlite": "database/solhost.sqlite3", "postgresql": "database/solhost.pgdump"}
# Read and write by the site's own user only: these let anyone sign in as anyone.
PRIVATE = 0o600


def uses_secret_key_file() -> bool:
    """Settings read the key from var/secret_key unless SOLHOST_SECRET_KEY is set."""
    return not os.environ.get("SOLHOST_SECRET_KEY")


def _files_under(root: Path, *, skip: list[Path]) -> list[Path]:
    """Regular files below ``root`` (not following links), leaving out the ``skip`` folders."""
    if not root.is_dir():
        return []
    found = []
    for folder, subfolders, names in os.walk(root):
        here = Path(folder)
        subfolders[:] = sorted(
            name for name in subfolders if not any(here / name == other for other in skip)
        )
        found += [here / name for name in sorted(names) if (here / name).is_file()]
    return [path for path in found if not path.is_symlink()]


def var_files(*, skip: list[Path]) -> list[Member]:
    """The files under var/ (and the key folder, wherever it is) a backup keeps."""
    skip = [folder.resolve() for folder in skip]
    kept = []
    if uses_secret_key_file():
        kept.append(Member(SECRET_KEY_MEMBER, Path(settings.VAR_DIR) / "secret_key", PRIVATE))
    for key in key_files(Path(settings.OIDC_KEY_DIR)):
        kept.append(Member(f"{KEYS_FOLDER}/{key.path.name}", key.path, PRIVATE))
    if (pairwise := pairwise_key_file()).is_file():
        kept.append(Member(f"{KEYS_FOLDER}/{pairwise.name}", pairwise, PRIVATE))
    media = Path(settings.MEDIA_ROOT).resolve()
    for path in _files_under(media, skip=skip):
        relative = path.relative_to(media).as_posix()
        kept.append(Member(f"{MEDIA_FOLDER}/{relative}", path, path.stat().st_mode & 0o777))
    return [file for file in kept if not any(file.source.resolve().is_relative_to(s) for s in skip)]


def table_row_counts() -> dict[str, int]:
    """Every table's row count, read on the current connection (and its transaction)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def ledger_balances() -> dict[str, int]:
    """Each ledger account's balance in cents over every posting, whatever its date."""
    return balances(at=datetime.date.max)


def latest_migrations() -> dict[str, str]:
    """The newest migration applied for each app (names sort by their number)."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, name), name)
    return dict(sorted(latest.items()))


def libpq_environment() -> dict[str, str]:
    """The environment pg_dump and pg_restore connect with: the password never on a command line."""
    database = connection.settings_dict
    _, env = DatabaseClient.settings_to_cmd_args_env(database, [])
    env = dict(env or {})
    for variable, value in [
        ("PGHOST", database.get("HOST")),
        ("PGPORT", database.get("PORT")),
        ("PGUSER", database.get("USER")),
        ("PGDATABASE", database.get("NAME")),
    ]:
        if value:
            env[variable] = str(value)
    return {**os.environ, **env}


def solhost_version() -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("solhost")
    except PackageNotFoundError:
        release = None
    commit = None
    if (Path(settings.PROJECT_DIR) / ".git").exists():
        try:
            commit = subprocess.run(
                ["git", "rev-parse", "HEAD"],  # noqa: S607
                cwd=settings.PROJECT_DIR,
                capture_output=True,
                text=True,
                check=True,
                timeout=10,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            commit = None
    return {"version": release, "commit": commit}


def process_started() -> datetime.datetime | None:
    """When this process started (Linux's /proc), to the second; None where that can't be read."""
    try:
        # Field 22 of /proc/self/stat, counted after the command name's closing parenthesis.
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(
            int(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
    except (OSError, ValueError, IndexError, StopIteration):
        return None
    return datetime.datetime.fromtimestamp(boot + ticks / os.sysconf("SC_CLK_TCK"), datetime.UTC)


def keys_made_at_start() -> list[KeyFile]:
    """The signing key settings made when this process started because it found none."""
    started = process_started()
    if started is None:
        return []
    # /proc/stat gives the boot time to the second only.
    since = started - datetime.timedelta(seconds=1)
    now = datetime.datetime.now(datetime.UTC)
    # A key a rotation set to sign later was not made at start, whatever its time.
    return [key for key in key_files(Path(settings.OIDC_KEY_DIR)) if since <= key.signs_from <= now]


def reasons_in_use() -> list[str]:
    """Why this installation isn't empty enough to restore into; none when it is.

    In use: the database has any table (a migrated database has at least its migration
    records, and pg_restore needs a database without tables), MEDIA_ROOT holds a file, or
    the key folder holds a key from before this process started. Settings make
    var/secret_key and a signing key when they find none, before any command runs: those
    don't count, and restore replaces them. (An older var/secret_key doesn't count either:
    it can't be told from a new one, and without the database it guards nothing.)
    """
    reasons = []
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables:
        reasons.append(
            f"the database {connection.settings_dict['NAME']} has {len(tables)} tables "
            f"(e.g. {sorted(tables)[0]})"
        )
    made_now = keys_made_at_start()
    earlier = [key for key in key_files(Path(settings.OIDC_KEY_DIR)) if key not in made_now]
    if earlier:
        reasons.append(
            f"the signing key folder {settings.OIDC_KEY_DIR} holds keys from before ({len(earlier)})"
        )
    media = _files_under(Path(settings.MEDIA_ROOT), skip=[])
    if media:
        reasons.append(f"MEDIA_ROOT {settings.MEDIA_ROOT} holds files ({len(media)})")
    return reasons
