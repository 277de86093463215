"""Usage ingest through the batch API and period close at scale, on PostgreSQL.

Builds a region in a database of its own (created and dropped here), then:

1. sends usage events for last month through ``POST /api/v1/usage`` (the whole Django
   stack: middleware, the partner's bearer token, JSON, the write path), 1,000 events a
   batch, from ``--workers`` processes at once, as partners' tools would;
2. copies the same rows with a raw ``COPY`` into a twin of the events table (same
   columns and indexes), in one process, for the ratio;
3. records payments for a share of the residents through the CSV import;
4. runs ``solhost close-period`` for the month in a child process and reports its time
   and peak memory.

The usage is shaped like a region's: each resident uses a few services (popular ones more
often), each on some days of the month, with several events on an active day. Events of
one partner arrive in the order they happened. Progress goes to standard error; the
figures, as JSON, to standard output.

    python benchmarks/usage_ingest.py --residents 100000 --services 50 --events 30000000
    python benchmarks/usage_ingest.py --residents 300 --services 4 --events 3000   # in CI

The server must allow creating databases; the benchmark database is dropped at the end
unless --keep is given.
"""

import argparse
import datetime
import json
import multiprocessing
import os
import random
import subprocess
import sys
import time
import uuid
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from solhost.tests.migrated import migrated_postgresql

ROOT = Path(__file__).resolve().parent.parent
BATCH = 1000
PARTNERS = 10
ZONE = zoneinfo.ZoneInfo("Australia/Melbourne")
# How many services a resident uses: one to six, three on average.
SERVICES_PER_RESIDENT = np.array([1, 2, 3, 4, 5, 6])
SERVICES_PER_RESIDENT_WEIGHTS = np.array([0.15, 0.2, 0.25, 0.2, 0.12, 0.08])
# Reporting the child's own peak: RUSAGE_CHILDREN would also count the ingest workers.
CLOSE_AND_REPORT_PEAK = """
import resource, sys
from solhost.cli import main
try:
    main(["close-period", sys.argv[1]])
finally:
    print("peak_rss_kib", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


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
        "--workers", type=int, default=2, help="processes sending batches at the same time"
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
    os.environ.setdefault("SOLHOST_ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def last_month(today: datetime.date) -> tuple[str, list[datetime.date]]:
    from solhost.metering.periods import parse_period, period_of, previous_month

    period = period_of(previous_month(today))
    first, last = parse_period(period)
    return period, [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def build_region(residents: int, services: int, *, partners: int = PARTNERS) -> dict:
    """Partners, services, residents and a token per partner; what the senders need."""
    from django.core.management import call_command

    from solhost.identity.models import User
    from solhost.partners.actions import issue_api_token
    from solhost.partners.models import Organisation, Service, ServiceKind

    call_command("migrate", verbosity=0)
    kind = ServiceKind.objects.create(slug="files", name="Files")
    owners = Organisation.objects.bulk_create(
        Organisation(
            name=f"Partner {i}", slug=f"p{i}", legal_form="cooperative", summary="A co-op."
        )
        for i in range(partners)
    )
    made = Service.objects.bulk_create(
        Service(
            organisation=owners[i % partners],
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
    User.objects.bulk_create(
        (User(username=f"r{i}", sub=uuid.UUID(int=i + 1), password="!") for i in range(residents)),
        batch_size=5000,
    )
    pks = dict(User.objects.filter(username__startswith="r").values_list("sub", "pk"))
    return {
        "service_slugs": [s.slug for s in made],
        "service_pks": [s.pk for s in made],
        "service_partner": [i % partners for i in range(services)],
        "partner_pks": [p.pk for p in owners],
        "resident_pks": [pks[uuid.UUID(int=i + 1)] for i in range(residents)],
        "tokens": [
            issue_api_token(organisation=p, actor=None, name="benchmark")[1] for p in owners
        ],
    }


def set_grace(days: int) -> None:
    """Keep last month open to usage while events are sent (60), then closable (0)."""
    from solhost.core.models import ParameterValue

    ParameterValue.objects.filter(parameter__key="usage_grace_days").update(value=days)


def usage_plan(residents: int, services: int, seed: int = 6) -> tuple:
    """Who uses what: (resident, service, chance of being active on a given day) triples."""
    rng = np.random.default_rng(seed)
    popularity = 1 / np.arange(1, services + 1) ** 0.8
    popularity /= popularity.sum()
    counts = rng.choice(SERVICES_PER_RESIDENT, residents, p=SERVICES_PER_RESIDENT_WEIGHTS)
    counts = np.minimum(counts, services)
    pair_resident, pair_service = [], []
    for resident, count in enumerate(counts):
        pair_resident.extend([resident] * count)
        pair_service.extend(rng.choice(services, count, replace=False, p=popularity))
    chance = rng.uniform(0.1, 0.9, len(pair_resident))
    return np.array(pair_resident), np.array(pair_service), chance


def day_events(plan: tuple, day_index: int, count: int, day: datetime.date) -> tuple:
    """``count`` events on ``day``: (resident, service, UTC instant) arrays, in time order."""
    pair_resident, pair_service, chance = plan
    rng = np.random.default_rng(1000 + day_index)
    active = np.flatnonzero(rng.random(len(chance)) < chance)
    chosen = active[rng.integers(0, len(active), count)]
    start = datetime.datetime.combine(day, datetime.time(), ZONE)
    length = (start + datetime.timedelta(days=1)).astimezone(datetime.UTC) - start  # 23–25 h
    seconds = np.sort(rng.integers(0, int(length.total_seconds()), count))
    start_utc = np.datetime64(start.astimezone(datetime.UTC).replace(tzinfo=None), "s")
    return pair_resident[chosen], pair_service[chosen], start_utc + seconds


def partner_batches(region: dict, plan: tuple, days: list, total: int, partner: int):
    """One partner's batches for the month, in time order: (key prefix, columns) per batch."""
    owner = np.array(region["service_partner"])
    per_day = np.full(len(days), total // len(days))
    per_day[: total % len(days)] += 1
    for index, day in enumerate(days):
        resident, service, moment = day_events(plan, index, int(per_day[index]), day)
        mine = owner[service] == partner
        resident, service, moment = resident[mine], service[mine], moment[mine]
        for number, start in enumerate(range(0, len(resident), BATCH)):
            part = slice(start, start + BATCH)
            yield f"{day:%d}-{number}", resident[part], service[part], moment[part]


def reported_subs(residents: int, partner_pks: list[int]) -> list[list[str]]:
    """Each partner's sub for each resident, by partner index: the pairwise subs its
    services received, which are what a partner reports usage by."""
    from solhost.identity.subjects import organisation_sector, pairwise_sub

    return [
        [str(pairwise_sub(uuid.UUID(int=i + 1), organisation_sector(pk))) for i in range(residents)]
        for pk in partner_pks
    ]


def request_body(region: dict, prefix: str, resident, service, moment) -> str:
    subs, owner = region["subs"], region["service_partner"]
    slugs = region["service_slugs"]
    times = np.datetime_as_string(moment, unit="s")
    return (
        '{"events":['
        + ",".join(
            f'{{"id":"{prefix}-{i}","resident":"{subs[owner[s]][r]}","service":"{slugs[s]}",'
            f'"kind":"request","quantity":1,"occurred_at":"{t}+00:00"}}'
            for i, (r, s, t) in enumerate(
                zip(resident.tolist(), service.tolist(), times, strict=True)
            )
        )
        + "]}"
    )


def send_partners(job: tuple) -> dict:
    """One worker: send every batch of its partners through the API; count the answers."""
    region, plan, days, total, partners = job
    from django.db import connections
    from django.test import Client

    connections.close_all()  # a forked child opens its own connection
    counts = {"batches": 0, "accepted": 0, "duplicates": 0, "rejected": 0, "seconds": 0.0}
    for partner in partners:
        client = Client(headers={"authorization": f"Bearer {region['tokens'][partner]}"})
        for prefix, *columns in partner_batches(region, plan, days, total, partner):
            body = request_body(region, prefix, *columns)
            before = time.perf_counter()
            response = client.post("/api/v1/usage", body, content_type="application/json")
            counts["seconds"] += time.perf_counter() - before
            if response.status_code != 200:
                raise SystemExit(f"batch {prefix} of partner {partner}: {response.content[:500]}")
            answer = response.json()["counts"]
            for name in ("accepted", "duplicates", "rejected"):
                counts[name] += answer[name]
            counts["batches"] += 1
    connections.close_all()
    return counts


def ingest(region: dict, plan: tuple, days: list, args) -> dict:
    from django.db import connections

    connections.close_all()
    jobs = [
        (region, plan, days, args.events, list(range(w, PARTNERS, args.workers)))
        for w in range(args.workers)
    ]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        results = pool.map(send_partners, jobs)
    wall = time.perf_counter() - started
    total = {name: sum(r[name] for r in results) for name in results[0]}
    if total["rejected"] or total["duplicates"]:
        raise SystemExit(f"unexpected answers: {total}")
    return {
        "workers": args.workers,
        "batches": total["batches"],
        "accepted": total["accepted"],
        "wall_seconds": round(wall, 2),
        "events_per_second": round(total["accepted"] / wall),
        "seconds_in_requests_per_worker": round(total["seconds"] / args.workers, 2),
    }


def raw_copy(region: dict, plan: tuple, days: list, args) -> float:
    """COPY the same rows into a twin of the events table, with the same indexes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_copy (LIKE metering_usageevent INCLUDING ALL)")
    raw = connection.connection
    received = datetime.datetime.now(datetime.UTC).isoformat()
    columns = (
        "partner_id, key, resident_id, service_id, kind, quantity, occurred_at, received_at, day"
    )
    residents = np.array(region["resident_pks"])
    services = np.array(region["service_pks"])
    elapsed = 0.0
    for partner in range(PARTNERS):
        partner_pk = region["partner_pks"][partner]
        for prefix, resident, service, moment in partner_batches(
            region, plan, days, args.events, partner
        ):
            local_days = [
                datetime.datetime.fromisoformat(f"{t}+00:00").astimezone(ZONE).date().isoformat()
                for t in np.datetime_as_string(moment, unit="s")
            ]
            text = "".join(
                f"{partner_pk}\t{prefix}-{i}\t{r}\t{s}\trequest\t1\t{t}+00:00\t{received}\t{d}\n"
                for i, (r, s, t, d) in enumerate(
                    zip(
                        residents[resident].tolist(),
                        services[service].tolist(),
                        np.datetime_as_string(moment, unit="s"),
                        local_days,
                        strict=True,
                    )
                )
            )
            before = time.perf_counter()
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY bench_copy ({columns}) FROM STDIN") as copy,
            ):
                copy.write(text)
            raw.commit()
            elapsed += time.perf_counter() - before
    return elapsed


def payments(args, period_days: list) -> tuple[float, int]:
    from solhost.contributions.actions import import_payments_csv, reference_for_resident
    from solhost.identity.models import User

    rng = random.Random(7)
    payers = User.objects.filter(username__startswith="r").order_by("pk")[
        : int(args.residents * args.payers)
    ]
    lines = []
    for user in payers:
        code = reference_for_resident(user).code
        day = rng.choice(period_days)
        lines.append(f"{day.isoformat()},{code},{rng.choice(['5', '12', '25', '8.50'])}")
    started = time.perf_counter()
    for start in range(0, len(lines), 2000):
        import_payments_csv(text="\n".join(lines[start : start + 2000]), actor=None)
    return time.perf_counter() - started, len(lines)


def close(url: str, period: str) -> tuple[float, float, str]:
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-c", CLOSE_AND_REPORT_PEAK, period],
        env={**os.environ, "DATABASE_URL": url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if run.returncode:
        raise SystemExit(f"close-period failed:\n{run.stdout}{run.stderr}")
    peak_kib = next(
        int(line.split()[1]) for line in run.stderr.splitlines() if line.startswith("peak_rss_kib")
    )
    return elapsed, peak_kib / 1024, run.stdout.strip()


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@contextmanager
def benchmark_database(args: argparse.Namespace) -> Iterator[str]:
    """A new database for the run, dropped afterwards unless ``--keep``; yields its URL."""
    url = with_database(args.server, args.database)
    admin_sql(args.server, f'DROP DATABASE IF EXISTS "{args.database}"')
    migrated_postgresql(args.server, args.database)
    try:
        yield url
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            admin_sql(args.server, f'DROP DATABASE IF EXISTS "{args.database}"')


def opening_figures(args: argparse.Namespace) -> dict:
    return {
        "residents": args.residents,
        "services": args.services,
        "partners": PARTNERS,
        "events": args.events,
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg()[0],
    }


def ingested_region(args: argparse.Namespace, url: str, figures: dict) -> tuple:
    """Django on the run's database, the region built and last month's usage sent through
    the API; returns the region, the usage plan, the month's days and the period."""
    setup_django(url)
    from django.utils import timezone

    period, days = last_month(timezone.localdate())
    figures["period"] = period
    region = build_region(args.residents, args.services)
    region["subs"] = reported_subs(args.residents, region["partner_pks"])
    plan = usage_plan(args.residents, args.services)
    figures["resident_services"] = len(plan[0])
    set_grace(60)
    say(f"{args.residents:,} residents, {args.services} services, {args.events:,} events")
    figures["ingest"] = ingest(region, plan, days, args)
    say(f"ingest: {figures['ingest']}")
    return region, plan, days, period


def main() -> None:
    args = parse_args()
    figures = opening_figures(args)
    with benchmark_database(args) as url:
        region, plan, days, period = ingested_region(args, url, figures)
        if not args.skip_copy:
            copied = raw_copy(region, plan, days, args)
            figures["copy"] = {
                "seconds": round(copied, 2),
                "events_per_second": round(args.events / copied),
                "ratio_batch_api_to_copy": round(figures["ingest"]["wall_seconds"] / copied, 2),
            }
            say(f"copy: {figures['copy']}")
        paying, payers = payments(args, days)
        figures["payments"] = {"recorded": payers, "seconds": round(paying, 2)}
        say(f"payments: {figures['payments']}")
        from solhost.metering.models import ActiveDay

        figures["active_days"] = ActiveDay.objects.count()
        set_grace(0)
        elapsed, peak, said = close(url, period)
        figures["close_period"] = {
            "seconds": round(elapsed, 2),
            "peak_rss_mib": round(peak),
            "said": said,
        }
        say(f"close-period: {figures['close_period']}")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
