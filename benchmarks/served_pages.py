"""The home page under 50 concurrent clients, before and after gunicorn, against a static
file served by the same server in the same run.

Usage: python benchmarks/served_pages.py [--seconds S] [--clients N] [--database URL]

Loads the demo region into a throw-away database (PostgreSQL by default, as a region
runs it; ``--database sqlite`` for SQLite), then serves it twice on loopback:
- ``before``: how ``solhost serve`` ran until this change: waitress, one process with 8
  threads, a new database connection for every request (``SOLHOST_DB_CONN_MAX_AGE=0``);
- ``after``: ``solhost serve``: gunicorn, a worker per core with 4 threads each,
  connections kept and health-checked.
For each, ``wrk`` (Debian package) loads the home page and then a hashed static asset
(WhiteNoise) with N connections for S seconds, after a short warm-up. The clients send
no ``Accept-Encoding``, so both servers do the same work per page; the gzip sizes are
reported apart.

Prints JSON: per server and URL, requests/s and p50/p95/p99 latency in ms, errors; the
ratio of the home page's requests/s to the static file's on each server (how much the
application costs over the bare server), the after/before ratios, and the load average.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serving import free_port, throw_away_database

from solhost.tests.migrated import drop_postgresql

ROOT = Path(__file__).resolve().parent.parent
SOLHOST = str(Path(sys.executable).with_name("solhost"))
REPORT = Path(__file__).resolve().parent / "wrk_report.lua"
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
STYLESHEET = re.compile(r'<link rel="stylesheet" href="(/static/[^"]+)"')


def wait_until_serving(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def load(url: str, *, clients: int, seconds: int) -> dict:
    """wrk's figures for ``url``: requests/s and latency percentiles in ms."""
    command = [
        "wrk",
        f"--threads={min(2, clients)}",
        f"--connections={clients}",
        f"--duration={seconds}s",
        "--timeout=30s",
        f"--script={REPORT}",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    duration = figures["duration_us"] / 1e6
    return {
        "requests": figures["requests"],
        "requests_per_second": round(figures["requests"] / duration, 1),
        "p50_ms": round(figures["p50_us"] / 1000, 1),
        "p95_ms": round(figures["p95_us"] / 1000, 1),
        "p99_ms": round(figures["p99_us"] / 1000, 1),
        "errors": figures["errors"],
        "non_2xx": figures["non_2xx"],
    }


def measure_server(name: str, command: list[str], env: dict, args) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [part.replace("{port}", str(port)) for part in command],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_serving(base + "/", server)
            with urllib.request.urlopen(base + "/") as response:
                html = response.read().decode()
            asset = STYLESHEET.search(html).group(1)
            request = urllib.request.Request(base + "/", headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(request) as response:
                sent = response.read()
                packed = response.headers.get("Content-Encoding") == "gzip"
            figures = {
                "home_bytes": len(html.encode()),
                "home_bytes_to_a_gzip_client": len(sent),
                "home_gzipped_by_server": packed,
            }
            for label, url in (("home", base + "/"), ("static", base + asset)):
                load(url, clients=args.clients, seconds=min(2, args.seconds))  # warm-up
                figures[label] = load(url, clients=args.clients, seconds=args.seconds)
                figures[label]["url"] = url.removeprefix(base)
        finally:
            server.terminate()
            server.wait(timeout=30)
    figures["ratio_home_to_static_per_second"] = round(
        figures["home"]["requests_per_second"] / figures["static"]["requests_per_second"], 3
    )
    figures["server"] = name
    return figures


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--database", default="postgres", help="postgres or sqlite")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: `make bench` installs it (Debian package wrk)")

    var = Path(tempfile.mkdtemp(prefix="solhost-served-"))
    database_url, database_name = throw_away_database(
        ADMIN_URL if args.database == "postgres" else "",
        prefix="solhost_bench_served",
        var=var,
        migrated=True,
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SOLHOST_", "DJANGO_"))},
        "DATABASE_URL": database_url,
        "SOLHOST_VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "solhost.settings",
        "SOLHOST_LOG_LEVEL": "ERROR",
    }
    try:
        for step in (["migrate", "-v0"], ["load-demo"], ["collectstatic", "--no-input", "-v0"]):
            subprocess.run([SOLHOST, *step], env=env, check=True, stdout=subprocess.DEVNULL)
        before = measure_server(
            "waitress, 1 process × 8 threads, a connection per request",
            [
                sys.executable,
                "-m",
                "waitress",
                "--threads=8",
                "--listen=127.0.0.1:{port}",
                "solhost.wsgi:application",
            ],
            {**env, "SOLHOST_DB_CONN_MAX_AGE": "0"},
            args,
        )
        workers = len(os.sched_getaffinity(0))
        after = measure_server(
            f"gunicorn, {workers} workers × 4 threads, persistent connections",
            [SOLHOST, "serve", "--port", "{port}"],
            env,
            args,
        )
    finally:
        if database_name:
            drop_postgresql(ADMIN_URL, database_name)
        shutil.rmtree(var, ignore_errors=True)
    result = {
        "benchmark": "served_pages",
        "database": args.database,
        "clients": args.clients,
        "seconds": args.seconds,
        "cores": len(os.sched_getaffinity(0)),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "before": before,
        "after": after,
        "ratio_after_to_before": {
            "home_requests_per_second": round(
                after["home"]["requests_per_second"] / before["home"]["requests_per_second"], 2
            ),
            "home_p95": round(after["home"]["p95_ms"] / before["home"]["p95_ms"], 2),
            "home_to_static": round(
                after["ratio_home_to_static_per_second"]
                / before["ratio_home_to_static_per_second"],
                2,
            ),
        },
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
