"""How long a usage batch waits while a period closes, and that none fails, on PostgreSQL.

The close of a month locks the usage, active-day and payment tables until it commits, so a
partner's batch sent meanwhile waits. This builds the region of ``usage_ingest.py`` in a
database of its own (created and dropped here), sends last month's usage through the API
and records payments, then:

1. **baseline**: a sender process posts batches of 1,000 events for the open month (today)
   through ``POST /api/v1/usage`` for ``--baseline-seconds``, with no close running;
2. **during the close**: the same sender keeps posting while ``solhost close-period`` runs
   for last month in a child process.

It reports, for the batches whose request overlapped the close, how many there were, the
longest and median request time, the same figures for the baseline, their ratios, and how
many batches failed (any answer but a 200, or an event of the open month refused): that
must be 0. Progress goes to standard error; the figures, as JSON, to standard output.

    python benchmarks/close_contention.py --residents 100000 --services 50 --events 1000000 --payers 0.05
    python benchmarks/close_contention.py --residents 300 --services 4 --events 3000   # in CI
"""

import argparse
import datetime
import json
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from usage_ingest import (
    BATCH,
    benchmark_database,
    close,
    ingested_region,
    opening_figures,
    payments,
    say,
    set_grace,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--services", type=int, default=50)
    parser.add_argument("--events", type=int, default=1_000_000, help="last month's events")
    parser.add_argument(
        "--payers", type=float, default=0.05, help="share of residents who pay (0–1)"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="processes sending last month's usage"
    )
    parser.add_argument(
        "--baseline-seconds", type=float, default=20, help="how long to send with no close"
    )
    parser.add_argument(
        "--server",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="any database on the server",
    )
    parser.add_argument("--database", default="solhost_bench_contention")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    return parser.parse_args()


def open_month_body(region: dict, plan: tuple, phase: str, number: int, now) -> str:
    """Batch ``number``: ``(partner, body)``, 1,000 events of one partner dated today before ``now``."""
    pair_resident, pair_service, _ = plan
    rng = np.random.default_rng(number)
    owner = np.array(region["service_partner"])
    with_services = sorted(set(region["service_partner"]))  # fewer services than partners
    partner = with_services[number % len(with_services)]
    mine = np.flatnonzero(owner[pair_service] == partner)
    chosen = mine[rng.integers(0, len(mine), BATCH)]
    midnight = datetime.datetime.combine(now.date(), datetime.time(), now.tzinfo)
    since_midnight = max(2, int((now - midnight).total_seconds()))
    moments = [
        (now - datetime.timedelta(seconds=int(s))).isoformat()
        for s in rng.integers(1, since_midnight, BATCH)
    ]
    subs, slugs, owner = region["subs"], region["service_slugs"], region["service_partner"]
    events = ",".join(
        f'{{"id":"open-{phase}-{number}-{i}","resident":"{subs[owner[s]][r]}",'
        f'"service":"{slugs[s]}","kind":"request","quantity":1,"occurred_at":"{t}"}}'
        for i, (r, s, t) in enumerate(
            zip(pair_resident[chosen].tolist(), pair_service[chosen].tolist(), moments, strict=True)
        )
    )
    return partner, '{"events":[' + events + "]}"


def keep_sending(region: dict, plan: tuple, phase: str, stop, out) -> None:
    """A partner's tool: post batches one after the other until told to stop."""
    from django.db import connections
    from django.test import Client
    from django.utils import timezone

    connections.close_all()  # a forked child opens its own connection
    clients = [Client(headers={"authorization": f"Bearer {token}"}) for token in region["tokens"]]
    sent = []
    number = 0
    while not stop.is_set():
        partner, body = open_month_body(region, plan, phase, number, timezone.localtime())
        started = time.monotonic()
        try:
            response = clients[partner].post("/api/v1/usage", body, content_type="application/json")
            status = response.status_code
            counts = response.json()["counts"] if status == 200 else {}
        except Exception as error:
            status, counts = f"{type(error).__name__}: {error}"[:200], {}
        sent.append(
            (
                started,
                time.monotonic(),
                status,
                counts.get("rejected", BATCH),
                counts.get("accepted", 0),
            )
        )
        number += 1
    connections.close_all()
    out.put(sent)


def sending(region: dict, plan: tuple, phase: str, during) -> list:
    """Run ``during()`` while a sender process posts batches; the sender's requests."""
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    stop, out = context.Event(), context.Queue()
    sender = context.Process(target=keep_sending, args=(region, plan, phase, stop, out))
    sender.start()
    try:
        during()
    finally:
        stop.set()
    sent = out.get(timeout=600)
    sender.join()
    return sent


def figures_of(requests: list) -> dict:
    seconds = [end - start for start, end, *_ in requests]
    failed = [
        f"{status}, {rejected} events rejected"
        for _, _, status, rejected, _ in requests
        if status != 200 or rejected
    ]
    return {
        "batches": len(requests),
        "accepted_events": sum(accepted for *_, accepted in requests),
        "longest_seconds": round(max(seconds), 3) if seconds else None,
        "median_seconds": round(statistics.median(seconds), 3) if seconds else None,
        "failed": len(failed),
        "failures": failed[:5],
    }


def ratio(a, b):
    return round(a / b, 1) if a is not None and b else None


def main() -> None:
    args = parse_args()
    figures = opening_figures(args)
    with benchmark_database(args) as url:
        region, plan, days, period = ingested_region(args, url, figures)
        paid, payers = payments(args, days)
        figures["payments"] = {"recorded": payers, "seconds": round(paid, 2)}
        say(f"payments: {figures['payments']}")
        set_grace(0)

        baseline = sending(region, plan, "base", lambda: time.sleep(args.baseline_seconds))
        figures["baseline"] = figures_of(baseline)
        say(f"baseline: {figures['baseline']}")

        window = {}

        def run_close():
            time.sleep(1)  # the sender is under way before the close starts
            window["start"] = time.monotonic()
            elapsed, peak, said = close(url, period)
            window["end"] = time.monotonic()
            figures["close_period"] = {
                "seconds": round(elapsed, 2),
                "peak_rss_mib": round(peak),
                "said": said,
            }

        sent = sending(region, plan, "close", run_close)
        say(f"close-period: {figures['close_period']}")
        overlapping = [r for r in sent if r[1] > window["start"] and r[0] < window["end"]]
        during = figures_of(overlapping)
        figures["during_close"] = during
        figures["ratio_longest_during_close_to_baseline"] = ratio(
            during["longest_seconds"], figures["baseline"]["longest_seconds"]
        )
        figures["ratio_median_during_close_to_baseline"] = ratio(
            during["median_seconds"], figures["baseline"]["median_seconds"]
        )
        figures["failed"] = figures_of(sent)["failed"] + figures["baseline"]["failed"]
        figures["load_average_at_end"] = os.getloadavg()[0]
        say(f"during the close: {during}")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
