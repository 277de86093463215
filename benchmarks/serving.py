"""What the benchmarks share: Django set up in their own process on a throw-away SQLite
database, and for those that serve solhost for real a free port and a throw-away
database beside the one they were pointed at."""

import os
import socket
import sys
import tempfile
import uuid
from pathlib import Path

import psycopg


def set_up_django_on_sqlite() -> None:
    """Django in this process, on a SQLite file in a throw-away var folder (or the one
    ``SOLHOST_VAR_DIR`` names), whatever database the environment names."""
    os.environ.setdefault("SOLHOST_VAR_DIR", tempfile.mkdtemp(prefix="solhost-bench-"))
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solhost.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def throw_away_database(url: str, *, prefix: str, var: Path) -> tuple[str, str | None]:
    """A fresh PostgreSQL database beside the one ``url`` names (and its name, to drop it),
    or a SQLite file under ``var`` when ``url`` names none."""
    if not url.startswith("postgres"):
        return f"sqlite:///{var / 'bench.sqlite3'}", None
    server_url = url.rsplit("/", 1)[0]
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url}/{name}", name


def drop_database(url: str, name: str) -> None:
    with psycopg.connect(f"{url.rsplit('/', 1)[0]}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
