"""What the benchmarks that serve solhost for real share: a free port, and a throw-away
database beside the one they were pointed at."""

import socket
import uuid
from pathlib import Path

import psycopg


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
