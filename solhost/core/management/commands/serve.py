import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from gunicorn.app.base import BaseApplication

# A new worker starts with its caches empty and rebuilds every page it is asked for, so
# replacing workers often costs far more than any slow leak they guard against: at 2,000
# requests a busy region replaced each worker every few seconds and its slowest
# answers took seconds. At this many, a worker lasts hours at a region's usual load.
MAX_REQUESTS = 100_000


def default_workers() -> int:
    """One worker process per core this process may run on (see docs/decisions/0008)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def zero_or_more(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


def gunicorn_options(
    *, host: str, port: int, workers: int, threads: int, timeout: int, max_requests: int
) -> dict:
    """gunicorn's settings for ``solhost serve`` (see docs/decisions/0008)."""
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": timeout,
        "graceful_timeout": 30,
        # A worker is replaced after this many requests, so a slow leak can't grow; the
        # jitter keeps the workers from being replaced together.
        "max_requests": max_requests,
        "max_requests_jitter": max_requests // 10,
        # The app is imported once, before the workers fork, so they share memory.
        "preload_app": True,
        # The scheme a proxy reports is judged by solhost's own list of trusted
        # proxies (core.client_address), the same list that decides the client's
        # address; gunicorn passes the headers on and judges none itself.
        "secure_scheme_headers": {},
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "solhost",
        # systemd (or the terminal) manages the server; a control socket in the
        # home directory would also clash between two installations.
        "control_socket_disable": True,
        "limit_request_line": settings.LONGEST_REQUEST_LINE,
    }


class SolhostServer(BaseApplication):
    """gunicorn, configured from the command's options instead of a config file."""

    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self):
        from solhost.wsgi import application

        return application


class Command(BaseCommand):
    help = (
        "Serve the site with gunicorn: one worker process per core, a few threads each, "
        "static files included."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=positive,
            default=default_workers(),
            help="worker processes (default: one per core)",
        )
        parser.add_argument(
            "--threads",
            type=positive,
            default=4,
            help="threads per worker, each with its own database connection (default: 4)",
        )
        parser.add_argument(
            "--timeout",
            type=positive,
            default=120,
            help="seconds a request may take before its worker is restarted (default: 120)",
        )
        parser.add_argument(
            "--max-requests",
            type=zero_or_more,
            default=MAX_REQUESTS,
            help=(
                f"requests a worker serves before it is replaced, give or take a tenth "
                f"(default: {MAX_REQUESTS:,}; 0: never)"
            ),
        )

    def handle(self, *args, host, port, workers, threads, timeout, max_requests, **options):
        # Hashed, compressed copies of the assets, so browsers may cache them for a year.
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            f"Serving the region at http://{host}:{port}/ with {workers} workers × "
            f"{threads} threads (Ctrl-C to stop)"
        )
        self.stdout.flush()
        server = SolhostServer(
            gunicorn_options(
                host=host,
                port=port,
                workers=workers,
                threads=threads,
                timeout=timeout,
                max_requests=max_requests,
            )
        )
        try:
            server.run()
        except SystemExit as stop:
            if stop.code not in (0, None):
                raise CommandError(f"the server stopped with status {stop.code}") from stop
