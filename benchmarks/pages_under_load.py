"""The public pages of a region of 1,000 services from 50 partners under 50 concurrent
clients, on the production server, against a static file served by the same server in
the same run; on SQLite and on PostgreSQL.

Usage: python benchmarks/pages_under_load.py [--seconds S] [--clients N]
           [--databases sqlite,postgres] [--partners N] [--services N]

For each database, builds the region in a throw-away database (the demo grown by
``region_at_scale.py``; a PostgreSQL one is dropped at the end), serves it with
``solhost serve`` (gunicorn) on loopback, and drives ``wrk`` (Debian package) with N
connections for S seconds, after a short warm-up, against the home page, the directory,
a filtered directory, a partner page, a service page, then a hashed static asset.

Prints JSON: per database and page, requests/s, p50/p95/p99 latency in ms, errors and
non-2xx answers, and the ratio of the page's requests/s to the static file's; whether
every page's p95 is under 100 ms; and the load average before and after.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from served_pages import ADMIN_URL, SOLHOST, STYLESHEET, load, wait_until_serving
from serving import free_port, throw_away_database

from solhost.tests.migrated import drop_postgresql

GROW = str(Path(__file__).resolve().parent / "region_at_scale.py")
# The goal for every page at 50 clients.
P95_GOAL_MS = 100


def pages(region: dict) -> dict[str, str]:
    return {
        "home": "/",
        "directory": "/services/",
        "directory_filtered": "/services/?kind=files&lores=on",
        "partner": f"/partners/{region['busy_partner']}/",
        "service": f"/services/{region['a_service']}/",
    }


def build(env: dict, args) -> dict:
    for step in (["migrate", "-v0"], ["load-demo"], ["collectstatic", "--no-input", "-v0"]):
        subprocess.run([SOLHOST, *step], env=env, check=True, stdout=subprocess.DEVNULL)
    grown = subprocess.run(
        [sys.executable, GROW, f"--partners={args.partners}", f"--services={args.services}"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(grown.stdout)


def measure(database: str, args) -> dict:
    var = Path(tempfile.mkdtemp(prefix="solhost-pages-"))
    database_url, database_name = throw_away_database(
        ADMIN_URL if database == "postgres" else "",
        prefix="solhost_bench_pages",
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
    env.pop("REDIS_URL", None)
    try:
        region = build(env, args)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with tempfile.TemporaryFile() as log:
            server = subprocess.Popen(
                [SOLHOST, "serve", "--port", str(port)], env=env, stdout=log, stderr=log
            )
            try:
                wait_until_serving(base + "/", server)
                with urllib.request.urlopen(base + "/") as response:
                    asset = STYLESHEET.search(response.read().decode()).group(1)
                figures = {}
                for label, path in [*pages(region).items(), ("static", asset)]:
                    load(base + path, clients=args.clients, seconds=min(2, args.seconds))
                    figures[label] = {
                        "url": path,
                        **load(base + path, clients=args.clients, seconds=args.seconds),
                    }
            finally:
                server.terminate()
                server.wait(timeout=30)
    finally:
        if database_name:
            drop_postgresql(ADMIN_URL, database_name)
        shutil.rmtree(var, ignore_errors=True)
    static = figures["static"]["requests_per_second"]
    if not static:
        raise SystemExit(
            f"no request for the static file {figures['static']['url']} finished in "
            f"{args.seconds} s: the machine is too busy to give a ratio; measure again"
        )
    for label in pages(region):
        figures[label]["ratio_to_static_per_second"] = round(
            figures[label]["requests_per_second"] / static, 3
        )
    return {
        "region": region,
        "pages": figures,
        "every_page_p95_under_goal": all(
            figures[label]["p95_ms"] < P95_GOAL_MS and figures[label]["errors"] == 0
            for label in pages(region)
        ),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--partners", type=int, default=50)
    parser.add_argument("--services", type=int, default=1000)
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: `make bench` installs it (Debian package wrk)")
    load_before = [round(x, 2) for x in os.getloadavg()]
    databases = {name: measure(name, args) for name in args.databases.split(",")}
    result = {
        "benchmark": "pages_under_load",
        "server": f"solhost serve (gunicorn, {len(os.sched_getaffinity(0))} workers × 4 threads)",
        "clients": args.clients,
        "seconds": args.seconds,
        "cores": len(os.sched_getaffinity(0)),
        "p95_goal_ms": P95_GOAL_MS,
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "databases": databases,
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
