"""Forwarding a site's queued events to the primary after reconnection, against ingesting
the same events directly at the primary, in the same run.

A site cut off for a while has queued its residents' sign-ins (usage events) in its
store. When the link returns, ``solhost sites forward`` sends them to the primary: signed
batches of 1,000 over HTTP to a served primary (gunicorn), where each batch is checked,
stored through metering's write path and given a receipt per event, and the site marks
what the primary answered for. The baseline is the primary's own write path for the same
events (``record_usage_batch``, 1,000 a batch, in one process) on a twin of the primary's
database made just before, so both start from the same rows.

Everything runs on one PostgreSQL server (``--server``) in databases of its own, created
and dropped here: the primary's, its twin, and the site's store. The site reads the
region from the primary's database itself (a read-only session) rather than a standby:
replication is not what is measured. Progress goes to standard error; the figures, as
JSON, to standard output.

    python benchmarks/site_forwarding.py --events 100000
    python benchmarks/site_forwarding.py --events 300 --residents 30 --services 10   # in CI
"""

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from usage_ingest import build_region

from solhost.tests.migrated import beside, create_postgresql, drop_postgresql, migrated_postgresql

ROOT = Path(__file__).resolve().parent.parent
BATCH = 1000
PARTNERS = 5
SITE = "bench-site"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--residents", type=int, default=5_000)
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument(
        "--server",
        default=os.environ.get("DATABASE_URL", "")
        if os.environ.get("DATABASE_URL", "").startswith("postgres")
        else "postgres://postgres@127.0.0.1:5432/postgres",
        help="any database on the PostgreSQL server to use",
    )
    parser.add_argument("--prefix", default="solhost_bench_sites")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark's databases")
    # The steps the benchmark runs in child processes, each with its own settings.
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--store-url", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- Child steps: each runs in its own process, as the primary or as the site. ---


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solhost.settings")
    import django

    django.setup()


def step_primary(args: argparse.Namespace) -> dict:
    """At the primary: the schema, partners with services, residents, and its own keys."""
    _django()
    from solhost.identity.models import User
    from solhost.partners.models import Service

    build_region(args.residents, args.services, partners=PARTNERS)
    return {"residents": User.objects.count(), "services": Service.objects.count()}


def step_register(args: argparse.Namespace) -> dict:
    """At the primary: register the site's public keys, read from standard input."""
    _django()
    from django.core.management import call_command

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as keys:
        keys.write(sys.stdin.read())
    call_command("sites", "add", SITE, "--keys", keys.name, verbosity=0)
    return {"registered": SITE}


def step_site(args: argparse.Namespace) -> dict:
    """At the site: its store, its keys, and ``--events`` sign-ins queued in its store."""
    _django()
    from django.core.management import call_command
    from django.utils import timezone

    from solhost.identity.models import User
    from solhost.metering.actions import _insert_new, _moment_text
    from solhost.partners.models import Service
    from solhost.sites.keys import own_public_keys

    call_command("sites", "prepare", verbosity=0)
    residents = list(User.objects.order_by("pk").values_list("pk", "sub"))
    services = list(Service.objects.order_by("pk").values_list("pk", "slug", "organisation_id"))
    if len(residents) * len(services) < args.events:
        raise SystemExit(
            "--residents × --services must be at least --events (one sign-in each a day)"
        )
    now = timezone.now()
    day = timezone.localdate(now).isoformat()
    moment = _moment_text(now)
    rows = []
    for n in range(args.events):
        resident, sub = residents[n % len(residents)]
        service, slug, partner = services[n // len(residents)]
        rows.append(
            (
                partner,
                f"signin:{sub}:{slug}:{day}",
                resident,
                service,
                "sign_in",
                1,
                moment,
                moment,
                day,
            )
        )
    started = time.perf_counter()
    for start in range(0, len(rows), BATCH):
        _insert_new(rows[start : start + BATCH])
    return {
        "queued": len(rows),
        "queue_seconds": round(time.perf_counter() - started, 2),
        "keys": own_public_keys(),
    }


def step_direct(args: argparse.Namespace) -> dict:
    """At the primary's twin: the same events through the primary's own write path."""
    _django()
    import psycopg

    from solhost.metering.actions import record_usage_batch
    from solhost.partners.models import Organisation

    with psycopg.connect(args.store_url) as store:
        rows = store.execute(
            "SELECT e.partner_id, e.key, e.resident_id, e.kind, e.quantity, e.occurred_at, e.service_id "
            "FROM metering_usageevent e ORDER BY e.id"
        ).fetchall()
    from solhost.identity.models import User
    from solhost.partners.models import Service

    subs = dict(User.objects.values_list("pk", "sub"))
    slugs = dict(Service.objects.values_list("pk", "slug"))
    partners = Organisation.objects.in_bulk()
    batches: list[tuple] = []
    for start in range(0, len(rows), BATCH):
        by_partner: dict[int, list[dict]] = {}
        for partner, key, resident, kind, quantity, occurred, service in rows[
            start : start + BATCH
        ]:
            by_partner.setdefault(partner, []).append(
                {
                    "id": key,
                    "resident": str(subs[resident]),
                    "service": slugs[service],
                    "kind": kind,
                    "quantity": quantity,
                    "occurred_at": occurred.isoformat(),
                }
            )
        batches.extend((partners[partner], events) for partner, events in by_partner.items())
    accepted = 0
    started = time.perf_counter()
    for partner, events in batches:
        # As the primary stores a site's batch: residents named by their public sub.
        accepted += len(
            record_usage_batch(partner=partner, events=events, from_a_site=True).accepted
        )
    return {"seconds": round(time.perf_counter() - started, 3), "accepted": accepted}


def step_forward(args: argparse.Namespace) -> dict:
    """At the site: forward the whole queue to the served primary."""
    _django()
    from solhost.sites.forwarding import backlog, forward

    started = time.perf_counter()
    attempt = forward()
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 3),
        "sent": attempt.sent,
        "stored": attempt.stored,
        "duplicates": attempt.duplicates,
        "refused": attempt.refused,
        "problem": attempt.problem,
        "left": backlog(),
    }


STEPS = {
    "primary": step_primary,
    "register": step_register,
    "site": step_site,
    "direct": step_direct,
    "forward": step_forward,
}


# --- The run: databases, environments, the served primary, the figures. ---


def child(
    step: str, env: dict, args: argparse.Namespace, *, stdin: str | None = None, **extra
) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--step", step]
    for name in ("events", "residents", "services"):
        command += [f"--{name}", str(getattr(args, name))]
    for name, value in extra.items():
        command += [f"--{name.replace('_', '-')}", value]
    done = subprocess.run(command, env=env, input=stdin, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"step {step} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def environments(args: argparse.Namespace, var: Path, port: int) -> dict:
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SOLHOST_", "DJANGO_"))
        and name not in ("REDIS_URL", "DATABASE_URL")
    }
    primary_db = beside(args.server, f"{args.prefix}_primary")
    store_db = beside(args.server, f"{args.prefix}_store")
    base = {
        "SOLHOST_BASE_URL": f"http://127.0.0.1:{port}",
        "SOLHOST_SECRET_KEY": secrets.token_urlsafe(40),
    }
    return {
        "primary": {
            **inherited,
            **base,
            "DATABASE_URL": primary_db,
            "SOLHOST_VAR_DIR": str(var / "primary"),
            "SOLHOST_SITE": "main",
        },
        "twin": {
            **inherited,
            **base,
            "DATABASE_URL": beside(args.server, f"{args.prefix}_twin"),
            "SOLHOST_VAR_DIR": str(var / "twin"),
            "SOLHOST_SITE": "main",
        },
        "site": {
            **inherited,
            **base,
            "DATABASE_URL": store_db,
            "SOLHOST_VAR_DIR": str(var / "site"),
            "SOLHOST_SITE": SITE,
            "SOLHOST_SITE_REPLICA_URL": primary_db,
            "SOLHOST_SITE_STORE_URL": store_db,
            "SOLHOST_SITE_PRIMARY_URL": f"http://127.0.0.1:{port}",
        },
        "store_url": store_db,
    }


def serve_primary(env: dict, port: int, log: Path) -> subprocess.Popen:
    import requests

    solhost = str(Path(sys.executable).with_name("solhost"))
    with log.open("w") as out:
        server = subprocess.Popen(
            [solhost, "serve", "--port", str(port), "--workers", "2", "--threads", "4"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the primary's server exited:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/health", timeout=5).ok:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("the primary's server did not start")


def run(args: argparse.Namespace) -> dict:
    names = [f"{args.prefix}_{part}" for part in ("primary", "twin", "store")]
    for name in names:
        drop_postgresql(args.server, name)
    migrated_postgresql(args.server, names[0])
    create_postgresql(args.server, names[2])
    figures = {
        "events": args.events,
        "batch": BATCH,
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg()[0],
    }
    server = None
    with tempfile.TemporaryDirectory(prefix="solhost-bench-sites-") as var:
        port = free_port()
        env = environments(args, Path(var), port)
        try:
            say("the primary: schema and region")
            figures["region"] = child("primary", env["primary"], args)
            say("the site: its store and its queue")
            site = child("site", env["site"], args)
            figures["queued"] = site["queued"]
            child("register", env["primary"], args, stdin=json.dumps(site["keys"]))
            create_postgresql(args.server, names[1], template=names[0])
            say("direct: the same events through the primary's write path")
            figures["direct"] = child("direct", env["twin"], args, store_url=env["store_url"])
            server = serve_primary(env["primary"], port, Path(var) / "primary.log")
            say("forwarding the queue to the served primary")
            figures["forward"] = child("forward", env["site"], args)
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=60)
            if not args.keep:
                for name in names:
                    drop_postgresql(args.server, name)
    for part in ("direct", "forward"):
        figures[part]["events_per_second"] = round(
            args.events / max(figures[part]["seconds"], 1e-9)
        )
    figures["ratio_forward_to_direct"] = round(
        figures["forward"]["seconds"] / max(figures["direct"]["seconds"], 1e-9), 2
    )
    return figures


def main() -> None:
    args = parse_args()
    if args.step:
        print(json.dumps(STEPS[args.step](args)))
        return
    print(json.dumps(run(args), indent=2))


if __name__ == "__main__":
    main()
