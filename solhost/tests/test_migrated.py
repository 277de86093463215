"""The migrated databases the served and measured installations start from."""

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from solhost.tests.migrated import migrated_postgresql, migrated_sqlite, schema_digest

SOLHOST = str(Path(sys.executable).with_name("solhost"))
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def unapplied_migrations(database_url: str, var: Path) -> str:
    env = {name: value for name, value in os.environ.items() if not name.startswith("SOLHOST_")}
    result = subprocess.run(
        [SOLHOST, "migrate", "--plan"],
        env={**env, "DATABASE_URL": database_url, "SOLHOST_VAR_DIR": str(var)},
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return result.stdout.strip()


def test_the_digest_changes_with_any_migration(tmp_path, monkeypatch):
    import solhost.tests.migrated as migrated

    copy = tmp_path / "project"
    (copy / "solhost" / "core" / "migrations").mkdir(parents=True)
    (copy / "requirements.lock").write_text("django==5.2\n")
    (copy / "solhost" / "settings.py").write_text("")
    migration = copy / "solhost" / "core" / "migrations" / "0001_initial.py"
    migration.write_text("operations = []\n")
    monkeypatch.setattr(migrated, "ROOT", copy)
    before = schema_digest()
    migration.write_text("operations = ['one more']\n")
    assert schema_digest() != before


def test_a_template_that_cannot_be_migrated_fails_with_migrates_own_words(tmp_path):
    import solhost.tests.migrated as migrated

    with pytest.raises(RuntimeError, match=r"(?s)solhost migrate failed.*unable to open"):
        migrated._migrate(f"sqlite:///{tmp_path / 'no-such-folder' / 'db.sqlite3'}")


@pytest.mark.skipif(ON_POSTGRESQL, reason="the SQLite copy; the PostgreSQL one is below")
def test_a_sqlite_copy_has_every_migration_and_is_its_own(tmp_path):
    first, second = tmp_path / "first.sqlite3", tmp_path / "second.sqlite3"
    migrated_sqlite(first)
    migrated_sqlite(second)
    assert unapplied_migrations(f"sqlite:///{first}", tmp_path / "var") == (
        "Planned operations:\n  No planned migration operations."
    )
    with sqlite3.connect(first) as db:
        db.execute("DELETE FROM django_migrations")
    with sqlite3.connect(second) as db:
        assert db.execute("SELECT count(*) FROM django_migrations").fetchone()[0] > 0


@pytest.mark.skipif(not ON_POSTGRESQL, reason="runs on the suite's PostgreSQL server")
def test_a_postgresql_copy_has_every_migration_and_is_its_own(tmp_path):
    server = os.environ["DATABASE_URL"]
    names = [f"solhost_migrated_test_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    urls = [migrated_postgresql(server, name) for name in names]
    try:
        assert unapplied_migrations(urls[0], tmp_path / "var") == (
            "Planned operations:\n  No planned migration operations."
        )
        with psycopg.connect(urls[0], autocommit=True) as db:
            db.execute("DELETE FROM django_migrations")
        with psycopg.connect(urls[1]) as db:
            assert db.execute("SELECT count(*) FROM django_migrations").fetchone()[0] > 0
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
