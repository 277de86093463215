"""Databases that start with every migration applied, for the tests that serve or measure an
installation of their own.

Migrating a new database renders every app's models once per migration: about ten seconds
of a core, and the suite needs a fresh database for each served installation and each
benchmark it runs. So the first test that needs one migrates a template, once for the
machine and this exact schema, and every later test gets a copy of it: a file copy for
SQLite, ``CREATE DATABASE … TEMPLATE`` for PostgreSQL. The installation's own
``solhost migrate`` then finds nothing to do, as it would on a database restored from a
backup.

The template's name carries a digest of everything that decides the schema (the lock of
Python packages, the settings, every migration), so a changed migration makes a new one.
"""

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent.parent
SOLHOST = str(Path(sys.executable).with_name("solhost"))


def schema_digest() -> str:
    """A digest of the files that decide what ``solhost migrate`` makes."""
    digest = hashlib.sha256()
    files = [ROOT / "requirements.lock", ROOT / "solhost" / "settings.py"]
    files += sorted((ROOT / "solhost").glob("*/migrations/*.py"))
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _migrate(database_url: str) -> None:
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith("SOLHOST_")},
        "DATABASE_URL": database_url,
    }
    with tempfile.TemporaryDirectory(prefix="solhost-migrate-") as var:
        result = subprocess.run(
            [SOLHOST, "migrate", "-v0"],
            env={**env, "SOLHOST_VAR_DIR": var},
            capture_output=True,
            text=True,
            timeout=600,
        )
    if result.returncode != 0:
        raise RuntimeError(f"solhost migrate failed for the template:\n{result.stderr[-3000:]}")


def migrated_sqlite(target: Path) -> None:
    """Put at ``target`` a SQLite database with every migration applied."""
    # One per user: the temporary folder is shared, and another user's file is not ours to
    # lock or replace.
    name = f"solhost-migrated-{os.getuid()}-{schema_digest()}.sqlite3"
    template = Path(tempfile.gettempdir()) / name
    if not template.exists():
        with open(f"{template}.lock", "w") as lock:
            # Another test process may be making it: wait for that one, and use its copy.
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not template.exists():
                building = template.with_suffix(f".{os.getpid()}.building")
                building.unlink(missing_ok=True)
                _migrate(f"sqlite:///{building}")
                building.rename(template)
    shutil.copyfile(template, target)


def beside(database_url: str, name: str) -> str:
    """The URL of the database ``name`` on the server that ``database_url`` is on."""
    return urlunsplit(urlsplit(database_url)._replace(path=f"/{name}"))


def _admin(database_url: str) -> psycopg.Connection:
    """A connection to the maintenance database of the server that ``database_url`` is on."""
    return psycopg.connect(beside(database_url, "postgres"), autocommit=True)


def migrated_postgresql_template(database_url: str) -> str:
    """The name of a database on the server that ``database_url`` is on, with every
    migration applied, made now if the server has none for this schema. Copy it with
    ``CREATE DATABASE … TEMPLATE``; never connect to it, which would stop the copies."""
    template = f"solhost_migrated_{schema_digest()}"
    with _admin(database_url) as admin:
        # One test process makes the template while the others wait on this lock.
        admin.execute("SELECT pg_advisory_lock(hashtext(%s))", [template])
        try:
            made = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            if made.fetchone() is None:
                building = f"{template}_building"
                admin.execute(f'DROP DATABASE IF EXISTS "{building}"')
                admin.execute(f'CREATE DATABASE "{building}"')
                _migrate(beside(database_url, building))
                admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
        finally:
            admin.execute("SELECT pg_advisory_unlock(hashtext(%s))", [template])
    return template


def create_postgresql(database_url: str, name: str, *, template: str = "template1") -> str:
    """Make the database ``name``, a copy of ``template`` (PostgreSQL's empty one unless
    given), on the server that ``database_url`` is on; its URL."""
    with _admin(database_url) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return beside(database_url, name)


def migrated_postgresql(database_url: str, name: str) -> str:
    """Make the database ``name`` with every migration applied, on the server that
    ``database_url`` is on; its URL."""
    return create_postgresql(
        database_url, name, template=migrated_postgresql_template(database_url)
    )


def drop_postgresql(database_url: str, name: str) -> None:
    """Drop the database ``name`` on the server that ``database_url`` is on, if it is there."""
    with _admin(database_url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
