"""CPU time per request of the public pages in a region of 1,000 services from 50
partners, against a bare Django response in the same run.

Usage: python benchmarks/page_cpu.py [--requests N] [--partners N] [--services N]

Sets up a throw-away SQLite database (in this process, so its work counts too) with the
demo region grown by ``region_at_scale.py``, then asks each page through the full
middleware stack with Django's test client: once with the cache emptied (the first visitor
after a change), then N times. Prints JSON: per page, the median and 90th-percentile CPU
time of a request in ms (``time.process_time``, so waiting counts for nothing), the ratio
of the median to the bare view's, the CPU time and queries of the first request, the
queries of a later one, and the HTML's size.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from region_at_scale import grow_region
from serving import set_up_django_on_sqlite


def cpu_times(client, url: str, requests: int) -> list[float]:
    timings = []
    for _ in range(requests):
        started = time.process_time()
        response = client.get(url)
        timings.append(time.process_time() - started)
        assert response.status_code == 200, (url, response.status_code)
    return timings


def page_and_queries(client, url: str) -> tuple[bytes, int, float]:
    """The page, its number of queries and the CPU time it took, in ms."""
    from django.db import connection

    queries = []

    def count(run, sql, *rest):
        queries.append(sql)
        return run(sql, *rest)

    with connection.execute_wrapper(count):
        started = time.process_time()
        html = client.get(url).content
        spent = time.process_time() - started
    return html, len(queries), round(spent * 1000, 3)


def figures(timings: list[float]) -> dict:
    ordered = sorted(timings)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))] * 1000, 3),
    }


def measure(requests: int, partners: int, services: int) -> dict:
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings

    call_command("migrate", verbosity=0)
    call_command("load-demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("collectstatic", interactive=False, verbosity=0)
    region = grow_region(partners=partners, services=services)
    pages = {
        "home": "/",
        "directory": "/services/",
        "directory_page_2": "/services/?page=2",
        "directory_filtered": "/services/?kind=files&lores=",
        "directory_search": "/services/?q=file+storage",
        "partner": f"/partners/{region['busy_partner']}/",
        "service": f"/services/{region['a_service']}/",
    }
    client = Client(HTTP_HOST="127.0.0.1")
    with override_settings(ROOT_URLCONF="benchmarks.baseline_urls"):
        # The first request through the stack pays for its imports and set-up: not timed.
        client.get("/baseline/")
        baseline = figures(cpu_times(client, "/baseline/", requests))
        result = {}
        for name, url in pages.items():
            caches["listing"].clear()
            html, first_queries, first_ms = page_and_queries(client, url)
            result[name] = {"url": url, **figures(cpu_times(client, url, requests))}
            result[name]["ratio_to_baseline"] = round(
                result[name]["median_ms"] / baseline["median_ms"], 2
            )
            result[name].update(
                first_request_ms=first_ms,
                first_request_queries=first_queries,
                queries=page_and_queries(client, url)[1],
                html_bytes=len(html),
            )
    return {
        "benchmark": "page_cpu",
        "database": connection.vendor,
        "requests_per_page": requests,
        "region": region,
        "baseline": baseline,
        "pages": result,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--partners", type=int, default=50)
    parser.add_argument("--services", type=int, default=1000)
    args = parser.parse_args(argv)
    os.environ.pop("REDIS_URL", None)
    set_up_django_on_sqlite()
    result = measure(args.requests, args.partners, args.services)
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
