"""The demo region backed up and restored into a new database and var/ folder, with the real
commands in their own processes, on the database the suite runs on (SQLite or PostgreSQL).

The round trip runs once for the module; each test checks one thing it must have kept.
Counts and balances are read here straight from both databases, not from the manifest.
"""

import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.db.migrations.loader import MigrationLoader
from jwcrypto import jwk, jwt

from solhost.tests.migrated import (
    create_postgresql,
    drop_postgresql,
    migrated_postgresql,
    migrated_sqlite,
)

# One worker starts the served installation and runs every test against it.
pytestmark = pytest.mark.xdist_group("backup_round_trip")

BIN = Path(sys.executable).parent
SOLHOST = shutil.which("solhost", path=str(BIN))
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
RESIDENT = "maria"
EVIDENCE = {
    "evidence/merri-creek-computing/solar-invoice.pdf": (b"%PDF-1.4 invoice\n", 0o640),
    "evidence/glenroy-solar-servers/rules.txt": (b"co-op rules\n", 0o644),
}


@dataclass
class Installation:
    var: Path
    database_url: str

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("SOLHOST_", "DATABASE_URL"))
        }
        return {
            **env,
            "DATABASE_URL": self.database_url,
            "SOLHOST_VAR_DIR": str(self.var),
            "PYTHONWARNINGS": "ignore",
            **extra,
        }

    def run(self, *args: str, check: bool = True, **extra: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [SOLHOST, *args], env=self.env(**extra), capture_output=True, text=True, timeout=600
        )
        if check:
            assert result.returncode == 0, f"solhost {' '.join(args)}:\n{result.stderr}"
        return result

    def probe(self, *args: str, script: str = "oidc_probe", **extra: str) -> dict:
        """Run a script of this folder in the installation; what it printed, as JSON."""
        result = subprocess.run(
            [sys.executable, "-m", f"solhost.backups.tests.{script}", *args],
            env=self.env(**extra),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def query(self, sql: str) -> list[tuple]:
        if self.database_url.startswith("sqlite"):
            with sqlite3.connect(self.database_url.removeprefix("sqlite:///")) as db:
                return db.execute(sql).fetchall()
        with psycopg.connect(self.database_url) as db:
            return db.execute(sql).fetchall()

    def row_counts(self) -> dict[str, int]:
        if self.database_url.startswith("sqlite"):
            listed = (
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        else:
            listed = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        tables = [name for (name,) in self.query(listed)]
        return {name: self.query(f'SELECT COUNT(*) FROM "{name}"')[0][0] for name in tables}  # noqa: S608

    def live_access(self) -> dict[str, int]:
        live = {
            "sessions": "SELECT COUNT(*) FROM django_session",
            "refresh tokens": "SELECT COUNT(*) FROM oauth2_provider_refreshtoken "
            "WHERE revoked IS NULL",
            "access tokens": "SELECT COUNT(*) FROM oauth2_provider_accesstoken",
        }
        return {what: self.query(sql)[0][0] for what, sql in live.items()}

    def balances(self) -> dict[str, int]:
        return dict(
            self.query(
                "SELECT a.code, COALESCE(SUM(p.amount_cents), 0) FROM ledger_account a "
                "LEFT JOIN ledger_posting p ON p.account_id = a.id GROUP BY a.code"
            )
        )


def _server_url(name: str) -> str:
    database = settings.DATABASES["default"]
    user = quote(database.get("USER") or "postgres")
    password = f":{quote(database['PASSWORD'])}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{database.get('PORT') or 5432}/{name}"


def _databases(tmp: Path, names: list[str]):
    """One new, empty database per name: SQLite files, or PostgreSQL databases on the suite's server."""
    if not ON_POSTGRESQL:
        return [f"sqlite:///{tmp / name}.sqlite3" for name in names]
    return [create_postgresql(_server_url("postgres"), name) for name in names]


def _migrated_database(tmp: Path, name: str) -> str:
    """A new database with every migration applied (solhost.tests.migrated)."""
    if not ON_POSTGRESQL:
        migrated_sqlite(tmp / f"{name}.sqlite3")
        return f"sqlite:///{tmp / name}.sqlite3"
    return migrated_postgresql(_server_url("postgres"), name)


def _drop(names: list[str]) -> None:
    if ON_POSTGRESQL:
        for name in names:
            drop_postgresql(_server_url("postgres"), name)


@dataclass
class RoundTrip:
    original: Installation
    restored: Installation
    archive: Path
    original_counts: dict[str, int]
    original_balances: dict[str, int]
    original_jwks: dict
    restore_output: str
    # Read straight after the restore, before the sign-in below adds its own rows.
    restored_counts: dict[str, int]
    restored_balances: dict[str, int]
    restored_live_access: dict[str, int]
    signed_in: dict
    signed_in_before: dict
    # Read before the changes below, which the original makes after its archive.
    original_live_access: dict[str, int]
    original_last_event: int
    # The archive restored again, once the original had changed accounts after it (a new
    # password, a disconnect, an erasure, a deactivation) and its journal kept them.
    after_the_archive: dict
    restored_again: Installation
    restore_again_output: str
    signed_in_again: dict


@pytest.fixture(scope="module")
def trip(tmp_path_factory) -> RoundTrip:
    tmp = tmp_path_factory.mktemp("round-trip")
    stem = f"backups_rt_{secrets.token_hex(4)}"
    names = [f"{stem}_original", f"{stem}_restored", f"{stem}_again"]
    urls = [_migrated_database(tmp, names[0]), *_databases(tmp, names[1:])]
    try:
        original = Installation(tmp / "original-var", urls[0])
        restored = Installation(tmp / "restored-var", urls[1])
        restored_again = Installation(tmp / "restored-again-var", urls[2])
        original.run("demo", "--no-serve")
        # Two signing keys, as after a rotation: both must come back, the newer to sign tomorrow.
        original.run("oidc-keys", "rotate")
        password = secrets.token_urlsafe(16)
        original.probe("--set-password", RESIDENT, password)
        # A sign-in before the backup: the resident's pairwise sub (and the key it is made
        # with) exist, and must be the same after the restore.
        signed_in_before = original.probe("--sign-in", RESIDENT, password)
        for name, (content, mode) in EVIDENCE.items():
            path = original.var / "media" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            path.chmod(mode)
        for rebuilt in ("static/css/site.css", "mail/20260101-000000.eml"):
            (original.var / rebuilt).parent.mkdir(parents=True, exist_ok=True)
            (original.var / rebuilt).write_text("rebuilt or disposable")
        archives = tmp / "archives"
        original.run("backup", SOLHOST_BACKUP_DIR=str(archives))
        (archive,) = archives.glob("solhost-backup-*")
        original_counts = original.row_counts()
        original_balances = original.balances()
        original_jwks = original.probe()["jwks"]
        restore_output = restored.run("restore", str(archive)).stdout
        restored_counts = restored.row_counts()
        restored_balances = restored.balances()
        restored_live_access = restored.live_access()
        signed_in = restored.probe("--sign-in", RESIDENT, password)
        original_live_access = original.live_access()
        ((original_last_event,),) = original.query("SELECT MAX(id) FROM core_auditevent")
        new_password = secrets.token_urlsafe(16)
        after_the_archive = original.probe(
            new_password,
            signed_in_before["client_id"],
            script="after_the_archive",
            SOLHOST_BACKUP_DIR=str(archives),
        )
        yield RoundTrip(
            original=original,
            restored=restored,
            archive=archive,
            original_counts=original_counts,
            original_balances=original_balances,
            original_jwks=original_jwks,
            restore_output=restore_output,
            restored_counts=restored_counts,
            restored_balances=restored_balances,
            restored_live_access=restored_live_access,
            signed_in=signed_in,
            signed_in_before=signed_in_before,
            original_live_access=original_live_access,
            original_last_event=original_last_event,
            after_the_archive=after_the_archive,
            restored_again=restored_again,
            restore_again_output=restored_again.run("restore", str(archive)).stdout,
            signed_in_again=restored_again.probe("--sign-in", RESIDENT, new_password),
        )
    finally:
        _drop(names)


def test_the_restore_reports_what_it_checked(trip):
    assert f"Restored {trip.archive}" in trip.restore_output
    assert "as the manifest says" in trip.restore_output
    vendor = "postgresql" if ON_POSTGRESQL else "sqlite"
    assert f"database ({vendor})" in trip.restore_output


def test_the_archive_holds_what_cannot_be_rebuilt_and_nothing_else(trip):
    assert trip.archive.name.startswith("solhost-backup-")
    assert trip.archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(trip.archive) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
    keys = {f"oidc-keys/{path.name}" for path in (trip.original.var / "oidc-keys").iterdir()}
    database = "database/solhost.pgdump" if ON_POSTGRESQL else "database/solhost.sqlite3"
    media = {f"media/{name}" for name in EVIDENCE}
    # Two signing keys (one rotated out) and the key pairwise subs are made with.
    assert len({key for key in keys if key.endswith(".pem")}) == 2
    assert "oidc-keys/pairwise-subject.key" in keys
    assert names == {"manifest.json", database, "secret_key", *keys, *media}
    assert {entry["name"] for entry in manifest["members"]} == names - {"manifest.json"}
    assert manifest["database"]["tables"] == trip.original_counts
    assert manifest["database"]["ledger_balances_cents"] == trip.original_balances


# What the restore changes after checking the counts: the sessions and tokens the archive
# brought back end (deleted, or in the refresh tokens' table marked revoked), and it
# records that, in the trail and as the restore the job would finish.
ENDED_BY_THE_RESTORE = {
    "django_session": -1,
    "identity_signedinsession": -1,
    "oauth2_provider_accesstoken": -1,
    "oauth2_provider_idtoken": -1,
    "sites_storerestore": +1,
}


def test_every_table_has_its_rows_and_the_trail_notes_the_restore(trip):
    restored = trip.restored_counts
    assert set(restored) == set(trip.original_counts)
    assert sum(trip.original_counts.values()) > 1000
    differing = {
        table: restored[table] - count
        for table, count in trip.original_counts.items()
        if restored[table] != count
    }
    added_events = differing.pop("core_auditevent")
    assert differing == ENDED_BY_THE_RESTORE
    last_kept = trip.original_last_event
    added = trip.restored.query(
        "SELECT action FROM core_auditevent "  # noqa: S608
        f"WHERE id > {last_kept} AND id <= {last_kept + added_events} ORDER BY id"
    )
    # Its own event, after checking the counts, then the ended sign-ins': the tokens for
    # offline access outlive the session's end, so the end of everything revokes them.
    assert [action for (action,) in added] == [
        "backups.restore",
        "sites.store.restore",
        "identity.token.revoke",
    ]
    ((note,),) = trip.restored.query(
        "SELECT note FROM core_auditevent WHERE action = 'backups.restore'"
    )
    assert trip.archive.name in note


def test_what_the_archive_brought_back_ended_before_anyone_was_let_in(trip):
    assert (
        "sign-ins: every session and token the archive brought back ended (1 resident signed "
        "out); the job runner tells their services by back-channel logout"
    ) in trip.restore_output
    assert trip.original_live_access == {"sessions": 1, "refresh tokens": 1, "access tokens": 1}
    assert trip.restored_live_access == {"sessions": 0, "refresh tokens": 0, "access tokens": 0}
    ((found_by, ended_at),) = trip.restored.query(
        "SELECT found_by, ended_at FROM sites_storerestore"
    )
    assert found_by == "archive" and ended_at is not None


def test_the_backup_began_the_account_journal_so_it_holds_every_change_after(trip):
    journal = trip.archive.parent / "account-journal.jsonl"
    # Restored before any change: the journal beside the archive was begun by the backup.
    assert f"account journal: {journal}, 0 changes made after the archive\n" in (
        trip.restore_output
    )
    assert "holds changes only since" not in trip.restore_again_output


def test_changes_to_accounts_after_the_archive_are_made_again_from_its_journal(trip):
    journal = trip.archive.parent / "account-journal.jsonl"
    assert f"account journal: {journal}, " in trip.restore_again_output
    made = re.search(r"account journal: made again: (.*); 0 already so", trip.restore_again_output)
    assert made is not None, trip.restore_again_output
    assert re.fullmatch(
        r"1 new password, 1 erasure, 1 deactivation, \d+ disconnected services?, "
        r"1 second factor removed",
        made[1],
    )
    again = trip.restored_again
    # The password maria chose after the archive lets her in, as it did the original.
    maria = f"SELECT password FROM identity_user WHERE username = '{RESIDENT}'"  # noqa: S608
    ((password,),) = again.query(maria)
    assert password == trip.after_the_archive["password"]
    assert jwt.JWT(jwt=trip.signed_in_again["id_token"]).token.jose_header["alg"] == "RS256"
    # Ahmed is erased again, under the id the original gave him.
    label = trip.after_the_archive["label"]
    assert again.query("SELECT username FROM identity_user WHERE username = 'ahmed'") == []
    ((email, active),) = again.query(
        f"SELECT email, is_active FROM identity_user WHERE username = '{label}'"  # noqa: S608
    )
    assert (email, bool(active)) == ("", False)
    ((kate_active,),) = again.query("SELECT is_active FROM identity_user WHERE username = 'kate'")
    assert not kate_active
    client_id = trip.signed_in_before["client_id"]
    consents = (
        "SELECT COUNT(*) FROM identity_consent c JOIN identity_user u ON u.id = c.user_id "  # noqa: S608
        "JOIN identity_serviceclient s ON s.id = c.client_id WHERE "
        f"u.username = '{RESIDENT}' AND s.client_id = '{client_id}'"
    )
    assert trip.restored.query(consents) == [(1,)]
    assert again.query(consents) == [(0,)]
    # Her security key, in the archive and removed after, is gone again.
    keys = (
        "SELECT COUNT(*) FROM mfa_authenticator a JOIN identity_user u ON u.id = a.user_id "  # noqa: S608
        f"WHERE u.username = '{RESIDENT}' AND a.type = 'webauthn'"
    )
    assert trip.restored.query(keys) == [(1,)]
    assert again.query(keys) == [(0,)]


def test_the_ledger_balances_are_the_same(trip):
    assert trip.restored_balances == trip.original_balances
    assert any(trip.original_balances.values())


def test_the_secret_key_signing_keys_and_evidence_come_back_with_their_modes(trip):
    for name in [
        "secret_key",
        *(f"oidc-keys/{p.name}" for p in (trip.original.var / "oidc-keys").iterdir()),
    ]:
        before, after = trip.original.var / name, trip.restored.var / name
        assert after.read_bytes() == before.read_bytes(), name
        assert after.stat().st_mode & 0o777 == 0o600, name
    # The key settings made when the restore started is gone: the archive's newest key signs.
    assert sorted(p.name for p in (trip.restored.var / "oidc-keys").iterdir()) == sorted(
        p.name for p in (trip.original.var / "oidc-keys").iterdir()
    )
    for name, (content, mode) in EVIDENCE.items():
        path = trip.restored.var / "media" / name
        assert path.read_bytes() == content
        assert path.stat().st_mode & 0o777 == mode


def test_a_resident_signs_in_to_a_service_on_the_restored_installation(trip):
    restored_jwks = trip.signed_in["jwks"]
    assert sorted(key["kid"] for key in restored_jwks["keys"]) == sorted(
        key["kid"] for key in trip.original_jwks["keys"]
    )
    # Signed by the restored installation, verified with the original's published keys: a
    # service that trusted the original trusts the restored one without a change.
    token = jwt.JWT(
        jwt=trip.signed_in["id_token"],
        key=jwk.JWKSet.from_json(json.dumps(trip.original_jwks)),
        check_claims={"aud": trip.signed_in["client_id"], "exp": None},
    )
    claims = json.loads(token.claims)
    assert claims["preferred_username"] == RESIDENT
    # The same service's co-op knows the resident by the same pairwise sub as before.
    before = jwt.JWT(
        jwt=trip.signed_in_before["id_token"],
        key=jwk.JWKSet.from_json(json.dumps(trip.original_jwks)),
        check_claims={"aud": trip.signed_in_before["client_id"], "exp": None},
    )
    assert claims["sub"] == json.loads(before.claims)["sub"]


def test_restoring_again_over_the_restored_installation_is_refused(trip):
    before = trip.restored.row_counts()

    result = trip.restored.run("restore", str(trip.archive), check=False)

    assert result.returncode != 0
    assert "Nothing restored: this installation is not empty" in result.stderr
    assert "Traceback" not in result.stderr
    assert trip.restored.row_counts() == before


def test_a_restore_that_does_not_match_its_manifest_fails_naming_the_differences(trip, tmp_path):
    altered = tmp_path / trip.archive.name
    with tarfile.open(trip.archive) as source, tarfile.open(altered, "w:gz") as target:
        for info in source:
            data = source.extractfile(info).read()
            if info.name == "manifest.json":
                manifest = json.loads(data)
                manifest["database"]["tables"]["core_parameter"] += 1
                manifest["database"]["ledger_balances_cents"]["assets:bank"] -= 1
                data = json.dumps(manifest).encode()
                info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    name = f"backups_rt_{secrets.token_hex(4)}_altered"
    try:
        (url,) = _databases(tmp_path, [name])
        result = Installation(tmp_path / "var", url).run("restore", str(altered), check=False)
    finally:
        _drop([name])

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    params = trip.original_counts["core_parameter"]
    bank = trip.original_balances["assets:bank"]
    assert (
        "Restore failed: the restored installation differs from the archive's manifest: "
        f"rows in table core_parameter: restored {params}, manifest {params + 1}; "
        f"cents in ledger account assets:bank: restored {bank}, manifest {bank - 1}"
    ) in result.stderr


def test_a_secret_key_from_the_environment_is_left_out_and_said_to_be(trip, tmp_path):
    archive = tmp_path / "with-environment-key.tar"
    trip.original.run("backup", str(archive), SOLHOST_SECRET_KEY="kept-by-the-operator")
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert "secret_key" not in names
    assert manifest["secret_key"] == {
        "in_archive": False,
        "note": "not in the archive: this installation takes it from SOLHOST_SECRET_KEY",
    }

    name = f"backups_rt_{secrets.token_hex(4)}_environment"
    try:
        (url,) = _databases(tmp_path, [name])
        installation = Installation(tmp_path / "var", url)
        output = installation.run(
            "restore", str(trip.archive), SOLHOST_SECRET_KEY="kept-by-the-operator"
        ).stdout
    finally:
        _drop([name])
    assert "SOLHOST_SECRET_KEY is set here: the site signs with it" in output
    assert (installation.var / "secret_key").read_bytes() == (
        trip.original.var / "secret_key"
    ).read_bytes()


def test_an_archive_from_an_older_solhost_is_migrated_before_its_sign_ins_end(tmp_path):
    stem = f"backups_rt_{secrets.token_hex(4)}"
    older_url = _migrated_database(tmp_path, f"{stem}_older")
    (empty_url,) = _databases(tmp_path, [f"{stem}_restored"])
    try:
        older = Installation(tmp_path / "older-var", older_url)
        # As made before the table that records a restore existed.
        older.run("migrate", "sites", "0003")
        archive = tmp_path / "older.tar.gz"
        older.run("backup", str(archive))
        restored = Installation(tmp_path / "restored-var", empty_url)

        output = restored.run("restore", str(archive)).stdout

        found = restored.query("SELECT found_by, ended_at IS NOT NULL FROM sites_storerestore")
    finally:
        _drop([f"{stem}_older", f"{stem}_restored"])
    (newest,) = [name for app, name in MigrationLoader(None).graph.leaf_nodes() if app == "sites"]
    assert f"migrated: this solhost is newer than the archive (sites.{newest})" in output
    assert "sign-ins: the archive brought back no live session or token" in output
    assert found == [("archive", True)]
