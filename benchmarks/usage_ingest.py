"""Usage ingest and period close at scale, on PostgreSQL.

Builds a region in a database of its own (created and dropped here), sends usage events
through the batch API's code path (``record_usage_batch``, 1,000 events a batch), copies
the same rows with a raw ``COPY`` into a twin table for comparison, records payments for a
share of the residents through the CSV import, then times ``solhost close-period`` in a
child process and reports its peak memory. Progress goes to standard error; the figures, as JSON, to
standard output.

    python benchmarks/usage_ingest.py --residents 100000 --services 50 --events 30000000
    python benchmarks/usage_ingest.py --residents 200 --services 5 --events 5000   # in CI

The database URL's server must allow creating databases; the benchmark database is
dropped at the end unless --keep is given.
"""

import argparse
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import time
import uuid
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BATCH = 1000
PERIOD = "2026-10"
PARTNERS = 10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--services", type=int, default=50)
    parser.add_argument("--events", type=int, default=30_000_000)
    parser.add_argument(
        "--payers", type=float, default=0.3, help="share of residents who pay (0–1)"
    )
    parser.add_argument(
        "--server",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="any database on the server",
    )
    parser.add_argument("--database", default="solhost_bench")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--skip-copy", action="store_true", help="skip the raw COPY comparison")
    return parser.parse_args()


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def admin_sql(server: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "solhost.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_region(residents: int, services: int):
    from solhost.identity.models import User
    from solhost.partners.models import Organisation, Service, ServiceKind
    from solhost.qualification.models import QualificationRun

    kind = ServiceKind.objects.create(slug="files", name="Files")
    partners = Organisation.objects.bulk_create(
        Organisation(
            name=f"Partner {i}", slug=f"p{i}", legal_form="cooperative", summary="A co-op."
        )
        for i in range(PARTNERS)
    )
    Service.objects.bulk_create(
        Service(
            organisation=partners[i % PARTNERS],
            slug=f"s{i}",
            name=f"Service {i}",
            kind=kind,
            summary="A service.",
            software="Nextcloud",
            licence="AGPL-3.0-or-later",
            source_url="https://example.org/src",
            url=f"https://s{i}.example.org",
        )
        for i in range(services)
    )
    last = datetime.date(2026, 10, 31)
    for number, partner in enumerate(partners):
        QualificationRun.objects.create(
            organisation=partner,
            at=last,
            trigger="benchmark",
            criteria_version="1",
            parameters={},
            qualified=number % 5 != 4,
        )
    User.objects.bulk_create(
        (User(username=f"r{i}", sub=uuid.UUID(int=i + 1), password="!") for i in range(residents)),
        batch_size=5000,
    )
    by_partner: dict = {}
    for slug, pk, owner in Service.objects.values_list("slug", "pk", "organisation_id"):
        by_partner.setdefault(owner, []).append((slug, pk))
    users = dict(User.objects.filter(username__startswith="r").values_list("sub", "pk"))
    return partners, by_partner, users


def batches(total: int, residents: int, partners, by_partner, seed: int = 6):
    """Deterministic batches: (partner, [event dicts]); the same seed gives the same events."""
    rng = random.Random(seed)
    zone = zoneinfo.ZoneInfo("Australia/Melbourne")
    sent = 0
    number = 0
    while sent < total:
        size = min(BATCH, total - sent)
        partner = partners[number % len(partners)]
        services = by_partner[partner.pk]
        events = []
        for index in range(size):
            moment = datetime.datetime(
                2026, 10, 1 + rng.randrange(31), rng.randrange(24), tzinfo=zone
            )
            events.append(
                {
                    "id": f"b{number}-{index}",
                    "resident": str(uuid.UUID(int=1 + rng.randrange(residents))),
                    "service": services[rng.randrange(len(services))][0],
                    "kind": "request",
                    "quantity": 1,
                    "occurred_at": moment.isoformat(),
                }
            )
        yield partner, events
        sent += size
        number += 1


def ingest(args, partners, by_partner) -> tuple[float, float, int]:
    from solhost.metering.actions import record_usage_batch

    received = datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC)
    in_calls = 0.0
    accepted = 0
    started = time.perf_counter()
    for partner, events in batches(args.events, args.residents, partners, by_partner):
        before = time.perf_counter()
        result = record_usage_batch(partner=partner, events=events, now=received)
        in_calls += time.perf_counter() - before
        accepted += len(result.accepted)
        if result.rejected:
            raise SystemExit(f"unexpected rejections: {result.rejected[:3]}")
    return time.perf_counter() - started, in_calls, accepted


def raw_copy(args, partners, by_partner, users) -> float:
    """COPY the same rows into a twin of the events table, with the same indexes."""
    from django.db import connection
    from django.utils import timezone

    services = {slug: pk for rows in by_partner.values() for slug, pk in rows}
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_copy (LIKE metering_usageevent INCLUDING ALL)")
    raw = connection.connection
    received = datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC)
    elapsed = 0.0
    columns = (
        "partner_id, key, resident_id, service_id, kind, quantity, occurred_at, received_at, day"
    )
    for partner, events in batches(args.events, args.residents, partners, by_partner):
        rows = []
        for event in events:
            moment = datetime.datetime.fromisoformat(event["occurred_at"])
            rows.append(
                (
                    partner.pk,
                    event["id"],
                    users[uuid.UUID(event["resident"])],
                    services[event["service"]],
                    event["kind"],
                    1,
                    moment,
                    received,
                    timezone.localdate(moment),
                )
            )
        before = time.perf_counter()
        with raw.cursor() as cursor, cursor.copy(f"COPY bench_copy ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit()
        elapsed += time.perf_counter() - before
    return elapsed


def payments(args) -> tuple[float, int]:
    from solhost.contributions.actions import import_payments_csv, reference_for_resident
    from solhost.identity.models import User

    rng = random.Random(7)
    payers = User.objects.filter(username__startswith="r").order_by("pk")[
        : int(args.residents * args.payers)
    ]
    lines = []
    for user in payers:
        code = reference_for_resident(user).code
        lines.append(
            f"2026-10-{1 + rng.randrange(28):02d},{code},{rng.choice(['5', '12', '25', '8.50'])}"
        )
    started = time.perf_counter()
    for start in range(0, len(lines), 2000):
        import_payments_csv(text="\n".join(lines[start : start + 2000]), actor=None)
    return time.perf_counter() - started, len(lines)


def close(url: str) -> tuple[float, float, str]:
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "solhost.cli", "close-period", PERIOD],
        env={**os.environ, "DATABASE_URL": url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if run.returncode:
        raise SystemExit(f"close-period failed:\n{run.stdout}{run.stderr}")
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return elapsed, peak_mib, run.stdout.strip()


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main() -> None:
    args = parse_args()
    url = with_database(args.server, args.database)
    admin_sql(args.server, f'DROP DATABASE IF EXISTS "{args.database}"')
    admin_sql(args.server, f'CREATE DATABASE "{args.database}"')
    figures: dict = {
        "residents": args.residents,
        "services": args.services,
        "partners": PARTNERS,
        "events": args.events,
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg()[0],
    }
    try:
        setup_django(url)
        partners, by_partner, users = build_region(args.residents, args.services)
        say(f"{args.residents:,} residents, {args.services} services, {args.events:,} events")
        wall, in_calls, accepted = ingest(args, partners, by_partner)
        figures["ingest"] = {
            "accepted": accepted,
            "wall_seconds": round(wall, 2),
            "seconds_in_batch_calls": round(in_calls, 2),
            "events_per_second": round(args.events / in_calls),
        }
        say(f"ingest: {figures['ingest']}")
        if not args.skip_copy:
            copied = raw_copy(args, partners, by_partner, users)
            figures["copy"] = {
                "seconds": round(copied, 2),
                "events_per_second": round(args.events / copied),
                "ratio_batch_api_to_copy": round(in_calls / copied, 2),
            }
            say(f"copy: {figures['copy']}")
        paying, payers = payments(args)
        figures["payments"] = {"recorded": payers, "seconds": round(paying, 2)}
        say(f"payments: {figures['payments']}")
        elapsed, peak, said = close(url)
        figures["close_period"] = {
            "seconds": round(elapsed, 2),
            "peak_rss_mib": round(peak),
            "said": said,
        }
        say(f"close-period: {figures['close_period']}")
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            admin_sql(args.server, f'DROP DATABASE IF EXISTS "{args.database}"')
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
