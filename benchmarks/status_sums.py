"""The status page's sums by region size: what adding up 90 days of hourly checks costs.

Usage: python benchmarks/status_sums.py [--addresses 100 500 2000]

For each size, a throw-away SQLite database holds that many checked addresses (one per
service), each with an hourly row for every hour of the last 90 days, then prints JSON
with, per size:
- ``hour_rows``: the rows stored (addresses x 2,160);
- ``sums_ms``: every address's availability over 24 hours, 30 and 90 days (``statuses``),
  what /status/ and ``GET /api/v1/status`` compute at most once a minute;
- ``cached_ms``: the same read again from the cache, what other views in that minute cost;
- ``period_ms``: one partner's addresses (a tenth of them) over a 72-hour outage.
"""

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serving import set_up_django_on_sqlite

HOURS = 90 * 24


def _addresses(world, count: int) -> list:
    from solhost.partners.models import Service
    from solhost.probes.models import ProbeTarget

    services = Service.objects.bulk_create(
        Service(
            organisation=world.mcc if n % 10 == 0 else world.cct,
            slug=f"service-{n}",
            name=f"Service {n}",
            kind=world.files,
            summary="A service.",
            software="Nextcloud",
            licence="AGPL-3.0-or-later",
            source_url="https://github.com/nextcloud/server",
            url=f"https://s{n}.example.org",
        )
        for n in range(count)
    )
    return ProbeTarget.objects.bulk_create(
        ProbeTarget(service=service, kind="public", url=service.url) for service in services
    )


def _hours(targets: list, now: datetime.datetime) -> int:
    from solhost.probes.models import ProbeHour

    first = now.replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=HOURS - 1)
    for target in targets:
        ProbeHour.objects.bulk_create(
            ProbeHour(
                target=target,
                hour=first + datetime.timedelta(hours=h),
                checks=12,
                up_checks=12 if h % 97 else 11,
                latency_ms_total=12 * 40,
            )
            for h in range(HOURS)
        )
    return len(targets) * HOURS


def measure(count: int) -> dict:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from solhost.probes.models import ProbeTarget
    from solhost.probes.queries import availability_between, public_statuses
    from solhost.test import make_world
    from solhost.tests.migrated import migrated_sqlite

    connection.close()
    database = Path(settings.VAR_DIR) / f"status-{count}.sqlite3"
    migrated_sqlite(database)
    connection.settings_dict["NAME"] = str(database)
    call_command("migrate", verbosity=0)
    world = make_world()
    now = timezone.now()
    targets = _addresses(world, count)
    rows = _hours(targets, now)

    started = time.perf_counter()
    found = public_statuses(now=now)
    summed = time.perf_counter() - started
    assert len(found) == count
    started = time.perf_counter()
    public_statuses(now=now)
    cached = time.perf_counter() - started
    own = ProbeTarget.objects.filter(service__organisation=world.mcc)
    outage_start = now - datetime.timedelta(days=20)
    started = time.perf_counter()
    availability_between(own, start=outage_start, end=outage_start + datetime.timedelta(hours=72))
    period = time.perf_counter() - started
    return {
        "addresses": count,
        "hour_rows": rows,
        "sums_ms": round(summed * 1000),
        "cached_ms": round(cached * 1000, 1),
        "period_ms": round(period * 1000, 1),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addresses", type=int, nargs="+", default=[100, 500, 2000])
    args = parser.parse_args(argv)
    set_up_django_on_sqlite()
    result = {"benchmark": "status_sums", "sizes": [measure(n) for n in args.addresses]}
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
