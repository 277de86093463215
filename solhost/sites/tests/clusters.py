"""PostgreSQL clusters of the test's own: a primary, a hot standby of it, a site's store.

Made with the Debian PostgreSQL binaries (``initdb``, ``pg_ctl``, ``pg_basebackup``)
under a temporary directory, each on a free port of 127.0.0.1 and with its socket in
that directory. PostgreSQL refuses to run as root: when the tests do, the clusters run
as the ``postgres`` user, which owns the directory.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from solhost.identity.tests.served import free_port

NEEDED = ("initdb", "pg_ctl", "pg_basebackup", "postgres", "pg_dump", "pg_restore")
# What `make test` installs: Debian's server package, which brings all of them.
DEBIAN_PACKAGE = "postgresql"
SLOT = "site_standby"


class BinariesMissing(RuntimeError):
    pass


def postgres_bin() -> Path:
    """The newest /usr/lib/postgresql/*/bin holding every binary the test needs."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
        reverse=True,
    )
    for directory in candidates:
        if all((directory / name).is_file() for name in NEEDED):
            return directory
    raise BinariesMissing(
        f"no PostgreSQL server binaries ({', '.join(NEEDED)}) under "
        f"/usr/lib/postgresql/*/bin: install Debian's {DEBIAN_PACKAGE} package (`make test` does)"
    )


class Runner:
    """Runs the binaries as the user PostgreSQL accepts, in one owned directory."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="solhost-sites-"))
        self.user: str | None = None
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError as error:
                raise BinariesMissing(
                    "the tests run as root and there is no postgres user to run PostgreSQL as"
                ) from error
            self.user = "postgres"
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self.root.chmod(0o755)

    def run(self, name: str, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(
            [str(self.bin / name), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            user=self.user,
            cwd=self.root,
        )
        if done.returncode != 0:
            raise AssertionError(f"{name} {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Cluster:
    runner: Runner
    name: str
    port: int

    @property
    def data(self) -> Path:
        return self.runner.root / self.name

    @property
    def log(self) -> Path:
        return self.runner.root / f"{self.name}.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self.runner.run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start"
        )

    def stop(self) -> None:
        self.runner.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def connect(self, database: str = "postgres", **kwargs) -> psycopg.Connection:
        return psycopg.connect(self.url(database), connect_timeout=5, **kwargs)

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def _client_args(self) -> list[str]:
        return ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]

    def dump(self, database: str, name: str) -> Path:
        """A backup of ``database`` as an operator takes one (``pg_dump -Fc``)."""
        backup = self.runner.root / f"{name}.dump"
        self.runner.run("pg_dump", *self._client_args(), "-Fc", "-f", str(backup), database)
        return backup

    def restore(self, database: str, backup: Path) -> None:
        """``database`` made again from ``backup``, in place, as after a lost disk."""
        self.runner.run(
            "pg_restore",
            *self._client_args(),
            "--clean",
            "--if-exists",
            "-d",
            database,
            str(backup),
        )

    def configure(self, **settings: str) -> None:
        lines = [f"{name} = '{value}'" for name, value in settings.items()]
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n# solhost sites test\n" + "\n".join(lines) + "\n")


# Fast and local: a test cluster is thrown away, so it need not survive a power cut.
FAST = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def new_cluster(runner: Runner, name: str) -> Cluster:
    cluster = Cluster(runner, name, free_port())
    runner.run(
        "initdb",
        "-D",
        str(cluster.data),
        "-U",
        "postgres",
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--no-instructions",
        "--locale=C",
    )
    cluster.configure(
        listen_addresses="127.0.0.1",
        port=str(cluster.port),
        unix_socket_directories=str(runner.root),
        max_connections="60",
        **FAST,
    )
    return cluster


def standby_of(primary: Cluster, name: str, *, port: int | None = None) -> Cluster:
    """A hot standby streaming from ``primary`` through its own replication slot."""
    standby = Cluster(primary.runner, name, port or free_port())
    primary.runner.run(
        "pg_basebackup",
        "-D",
        str(standby.data),
        "-h",
        "127.0.0.1",
        "-p",
        str(primary.port),
        "-U",
        "postgres",
        "-R",
        "-C",
        "-S",
        SLOT,
        "-X",
        "stream",
        "-c",
        "fast",
    )
    standby.configure(
        port=str(standby.port),
        hot_standby="on",
        # Reconnect soon after the primary is back.
        wal_retrieve_retry_interval="500ms",
    )
    return standby


def wait_until(check, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except psycopg.Error:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(0.2)


def caught_up(primary: Cluster, standby: Cluster, database: str) -> None:
    """Wait until the standby has replayed everything the primary has written."""
    with primary.connect(database, autocommit=True) as connection:
        lsn = connection.execute("SELECT pg_current_wal_lsn()").fetchone()[0]

    def replayed() -> bool:
        with standby.connect(database, autocommit=True) as connection:
            return connection.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]
            ).fetchone()[0]

    wait_until(replayed, f"the standby replaying the primary up to {lsn}")
