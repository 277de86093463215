"""Storing and reading back one site-year of 5-minute telemetry in the database.

Usage: python benchmarks/energy_storage.py [--days N]
(uses DATABASE_URL like the site; a throw-away test database is created and dropped)

Generates the same synthetic site-year as energy_site_year.py, then prints JSON:
- ``store``: seconds for ``store_telemetry`` (checks against stored rows, bulk insert);
- ``store_again``: seconds to send the same rows again (nothing is added);
- ``load``: seconds to read the rows back as arrays for the analysis;
- ``analyse_stored``: seconds for the whole stored analysis (read, analyse, trace, save);
- ``bytes_per_row``: the readings table with its indexes, per row (PostgreSQL only).
"""

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solhost.settings")
    import django

    django.setup()
    from django.db import connection

    from benchmarks.energy_site_year import STEP_S, canonical_csv, synthetic_site_year

    # Its own name, so it never replaces a test database a test run is using.
    if connection.vendor != "sqlite":
        connection.settings_dict["TEST"]["NAME"] = "solhost_bench_energy_storage"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        figures = _measure(args.days, STEP_S, canonical_csv, synthetic_site_year)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(json.dumps(figures, indent=2))
    return figures


def _measure(days, step, canonical_csv, synthetic_site_year) -> dict:
    from django.db import connection

    from solhost.energy.actions import analyse_server, store_telemetry
    from solhost.energy.canonical import read_canonical
    from solhost.energy.ingest import UploadOptions
    from solhost.energy.models import PowerSystem, TelemetryReading
    from solhost.energy.stored import stored_telemetry
    from solhost.partners.models import Organisation, Server

    start = int(datetime.datetime(2025, 7, 1, tzinfo=datetime.UTC).timestamp()) - 10 * 3600
    telemetry = read_canonical(canonical_csv(synthetic_site_year(days), start))
    organisation = Organisation.objects.create(name="Bench", slug="bench", legal_form="cooperative")
    server = Server.objects.create(
        organisation=organisation,
        slug="bench-1",
        name="Bench one",
        latitude=-37.77,
        longitude=144.96,
        hosting_company="self-hosted",
        operation_started=datetime.date(2025, 7, 1),
    )
    PowerSystem.objects.create(
        server=server, pv_kwp=0.6, pv_tilt_deg=35, battery_nominal_wh=3000, essential_load_w=18
    )

    def timed(action):
        started = time.perf_counter()
        result = action()
        return time.perf_counter() - started, result

    def store():
        return store_telemetry(
            server=server, telemetry=telemetry, actor=None, via="command", options=UploadOptions()
        )

    store_s, upload = timed(store)
    again_s, again = timed(store)
    load_s, loaded = timed(lambda: stored_telemetry(server))
    analyse_s, analysis = timed(lambda: analyse_server(server=server))
    rows = TelemetryReading.objects.count()
    size = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size('energy_telemetryreading')")
            size = cursor.fetchone()[0]
    return {
        "benchmark": "energy_storage",
        "database": connection.vendor,
        "days": days,
        "interval_s": step,
        "rows": rows,
        "store": {"seconds": round(store_s, 2), "rows_added": upload.rows_added},
        "store_again": {"seconds": round(again_s, 2), "rows_added": again.rows_added},
        "load": {"seconds": round(load_s, 2), "rows": len(loaded)},
        "analyse_stored": {"seconds": round(analyse_s, 2), "s3": analysis.s3_status},
        "bytes_per_row": None if size is None else round(size / rows),
        "megabytes": None if size is None else round(size / 1e6, 1),
    }


if __name__ == "__main__":
    main()
