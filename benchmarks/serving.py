"""What the benchmarks share: Django set up in their own process on a throw-away SQLite
database, and for those that serve solhost for real a free port and a throw-away
database beside the one they were pointed at.

solhost's throw-away databases start as copies of one migrated once for this schema
(solhost.tests.migrated): what a benchmark times never includes migrating, and a run
spares the ten seconds of a core that migrating a new database costs."""

import os
import socket
import sys
import tempfile
import uuid
from pathlib import Path

from solhost.tests.migrated import create_postgresql, migrated_postgresql, migrated_sqlite


def set_up_django_on_sqlite() -> None:
    """Django in this process, on a SQLite file in a throw-away var folder (or the one
    ``SOLHOST_VAR_DIR`` names), whatever database the environment names."""
    os.environ.setdefault("SOLHOST_VAR_DIR", tempfile.mkdtemp(prefix="solhost-bench-"))
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solhost.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    database = Path(os.environ["SOLHOST_VAR_DIR"]) / "solhost.sqlite3"
    if not database.exists():
        migrated_sqlite(database)
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def throw_away_database(
    url: str, *, prefix: str, var: Path, migrated: bool
) -> tuple[str, str | None]:
    """A new PostgreSQL database beside the one ``url`` names (and its name, to drop it),
    or a SQLite file under ``var`` when ``url`` names none; with solhost's migrations
    applied if ``migrated``, else empty."""
    if not url.startswith("postgres"):
        if migrated:
            migrated_sqlite(var / "bench.sqlite3")
        return f"sqlite:///{var / 'bench.sqlite3'}", None
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    if migrated:
        return migrated_postgresql(url, name), name
    return create_postgresql(url, name), name
