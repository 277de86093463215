"""Home page weight and render time, against a bare Django response in the same run.

Usage: python benchmarks/home_page.py [--requests N]

Sets up a throw-away SQLite database with the demo region, collects the static files as
``solhost serve`` does, then prints JSON:
- ``page_weight``: bytes of the HTML and of every asset it loads, raw and gzip-compressed
  (WhiteNoise serves the compressed copies), and the number of requests;
- ``render``: median time per home page request through the full middleware stack, the
  same for a bare ``HttpResponse`` view behind the same middleware, and their ratio.
"""

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serving import set_up_django_on_sqlite

ASSET = re.compile(r'<(?:link|script|img)\b[^>]*?(?:href|src)="(/[^"]+)"')


def median_seconds(client, url: str, requests: int) -> float:
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings)


def measure(requests: int) -> dict:
    from django.conf import settings
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command
    from django.test import Client, override_settings

    call_command("migrate", verbosity=0)
    call_command("load-demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client(HTTP_HOST="127.0.0.1")
    html = client.get("/").content
    assets = sorted(set(ASSET.findall(html.decode())))
    weights = {"html": {"raw": len(html), "gzip": len(gzip.compress(html))}}
    for url in assets:
        body = (Path(settings.STATIC_ROOT) / url.removeprefix(settings.STATIC_URL)).read_bytes()
        weights[url] = {"raw": len(body), "gzip": len(gzip.compress(body))}
    total_raw = sum(w["raw"] for w in weights.values())
    total_gzip = sum(w["gzip"] for w in weights.values())

    with override_settings(ROOT_URLCONF="benchmarks.baseline_urls"):
        baseline = median_seconds(client, "/baseline/", requests)
    home = median_seconds(client, "/", requests)
    return {
        "benchmark": "home_page",
        "page_weight": {
            "requests": len(weights),
            "total_bytes": total_raw,
            "total_gzip_bytes": total_gzip,
            "files": weights,
        },
        "render": {
            "requests": requests,
            "home_median_ms": round(home * 1000, 3),
            "baseline_median_ms": round(baseline * 1000, 3),
            "ratio_home_to_baseline": round(home / baseline, 2),
        },
        "static_storage": type(staticfiles_storage._wrapped).__name__,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)
    set_up_django_on_sqlite()
    result = measure(args.requests)
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
