"""A resident's export and erasure by size: where the export stops downloading at once.

Usage: python benchmarks/resident_export.py [--sizes 1000 5000 20000 50000]

For each size, a throw-away SQLite database holds one resident with that many rows in the
export's long tables (half active days over 50 services, half audit events about them) and
another resident with the same, then prints JSON with, per size:
- ``document_ms``: reading everything about the resident (``export_document``);
- ``zip_ms`` and ``zip_bytes``: writing the zip (JSON, schema, a CSV per table);
- ``baseline_ms``: ``json.dumps`` of the same document alone, the least any export costs;
- ``peak_mb``: the most memory Python held while building it;
- ``erase_ms``: erasing the account (sessions, notices, the audit trail's words).
Above ``SOLHOST_EXPORT_INLINE_ROWS`` (20,000 by default) an export is built in the
background instead of in the request.
"""

import argparse
import datetime
import io
import json
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serving import set_up_django_on_sqlite

SERVICES = 50


def _resident_with_rows(world, name: str, rows: int):
    from django.contrib.contenttypes.models import ContentType

    from solhost.core.models import AuditEvent
    from solhost.identity.models import User
    from solhost.metering.models import ActiveDay
    from solhost.partners.models import Service
    from solhost.test import make_user

    user = make_user(name)
    services = list(Service.objects.order_by("pk"))
    start = datetime.date(2024, 1, 1)
    days = rows // 2
    ActiveDay.objects.bulk_create(
        ActiveDay(
            resident=user,
            service=services[n % len(services)],
            day=start + datetime.timedelta(days=n // len(services)),
        )
        for n in range(days)
    )
    kind = ContentType.objects.get_for_model(User)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=user,
            actor_label=name,
            action="identity.login",
            content_type=kind,
            object_id=str(user.pk),
            object_repr=name,
            note="from 192.0.2.7",
        )
        for _ in range(rows - days)
    )
    return user


def _services(world) -> None:
    from solhost.partners.models import Service

    for n in range(SERVICES - Service.objects.count()):
        Service.objects.create(
            organisation=world.mcc,
            slug=f"service-{n}",
            name=f"Service {n}",
            kind=world.files,
            summary="A service.",
            software="Nextcloud",
            licence="AGPL-3.0-or-later",
            source_url="https://github.com/nextcloud/server",
            url=f"https://s{n}.example.org",
        )


def measure(size: int) -> dict:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from solhost.residents import actions, export_files, queries
    from solhost.residents.models import AccountDeletion
    from solhost.test import make_world
    from solhost.tests.migrated import migrated_sqlite

    # A database of its own for each size.
    connection.close()
    database = Path(settings.VAR_DIR) / f"export-{size}.sqlite3"
    migrated_sqlite(database)
    connection.settings_dict["NAME"] = str(database)
    call_command("migrate", verbosity=0)
    world = make_world()
    _services(world)
    resident = _resident_with_rows(world, "resident", size)
    _resident_with_rows(world, "neighbour", size)
    now = timezone.now()
    rows = queries.export_rows(resident)

    started = time.perf_counter()
    document = queries.export_document(resident, now=now)
    read = time.perf_counter() - started
    started = time.perf_counter()
    out = io.BytesIO()
    export_files.write_zip(document, schema_text=queries.SCHEMA_PATH.read_text(), out=out)
    zipped = time.perf_counter() - started
    started = time.perf_counter()
    json.dumps(document)
    baseline = time.perf_counter() - started
    # Memory in a second pass: tracing slows everything it watches.
    tracemalloc.start()
    actions.write_export(user=resident, out=io.BytesIO(), now=now)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    deletion = AccountDeletion.objects.create(
        user=resident, requested_at=now, erase_after=now, final_email_sent_at=now
    )
    started = time.perf_counter()
    actions.erase_account(deletion=deletion, now=now)
    erased = time.perf_counter() - started
    return {
        "rows": rows,
        "document_ms": round(read * 1000),
        "zip_ms": round(zipped * 1000),
        "baseline_ms": round(baseline * 1000),
        "ratio_to_baseline": round((read + zipped) / baseline, 1),
        "zip_bytes": len(out.getvalue()),
        "peak_mb": round(peak / 1e6, 1),
        "erase_ms": round(erased * 1000),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000, 50000])
    args = parser.parse_args(argv)
    set_up_django_on_sqlite()
    from django.conf import settings

    result = {
        "benchmark": "resident_export",
        "inline_rows": settings.SOLHOST_EXPORT_INLINE_ROWS,
        "sizes": [measure(size) for size in args.sizes],
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
