import os

import pytest
from django.conf import settings


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']} {settings.DATABASES['default'].get('NAME', '')}"


def pytest_sessionstart(session):
    """A PostgreSQL run that cannot reach its server stops at once, loudly, instead of erroring per test."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return
    import psycopg

    db = settings.DATABASES["default"]
    try:
        psycopg.connect(
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            dbname=db.get("NAME"),
            connect_timeout=5,
        ).close()
    except psycopg.OperationalError as error:
        pytest.exit(
            f"PostgreSQL is unreachable at {os.environ.get('DATABASE_URL')}: {error}", returncode=3
        )


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On PostgreSQL each worker's test database is a copy of one migrated once for this
    schema (solhost.tests.migrated), so its own migrate finds nothing to do."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        from solhost.tests.migrated import migrated_postgresql_template

        template = migrated_postgresql_template(os.environ["DATABASE_URL"])
        database.setdefault("TEST", {})["TEMPLATE"] = template


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashing():
    """Every test hashes and checks passwords with cheap Argon2 (solhost.tests.passwords)
    in place of the settings' first hasher."""
    from django.test import override_settings

    quick = "solhost.tests.passwords.QuickArgon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=[quick, *settings.PASSWORD_HASHERS[1:]]):
        yield


@pytest.fixture
def world(db):
    from solhost.test import make_world

    return make_world()


@pytest.fixture(autouse=True)
def _fresh_content_types():
    # Tests that empty the tables (live server, transactional) leave cached content-type ids
    # pointing at rows that no longer exist; the audit trail would then fail its foreign key.
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _jobs_run_at_once():
    # Enqueued jobs run inside the test that enqueued them, with no consumer.
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Sign-in limits and allauth's rates count in the cache, and the public pages keep
    what they list in theirs: each test starts with none."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    # Mail goes to memory (pytest-django's outbox) unless a test asks for files.
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    settings.MEDIA_ROOT = tmp_path / "media"
    # Where the account journal is kept, beside the archives.
    settings.SOLHOST_BACKUP_DIR = tmp_path / "backups"
    # Tests render templates without running collectstatic, so no manifest of hashed names.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pytest_runtest_setup(item):
    """Tests marked ``xdist_group`` share a costly fixture (a browser, Caddy, Synapse, two
    PostgreSQL clusters) meant to start once, on one worker. If pytest-xdist's loadgroup
    stops grouping them (pytest-xdist#1386: it marks the group in a node id that pytest
    9.2 no longer reads), each worker would start its own, silently: they fail instead."""
    grouped_by_xdist = item.nodeid.rfind("@") > item.nodeid.rfind("]")  # as xdist reads it
    if (
        getattr(item.config.option, "loadgroup", False)  # a worker of --dist loadgroup
        and item.get_closest_marker("xdist_group")
        and not grouped_by_xdist
    ):
        pytest.fail(
            "--dist loadgroup is not grouping the tests marked xdist_group: check the "
            "pytest and pytest-xdist versions in requirements.lock",
            pytrace=False,
        )


def pytest_collection_modifyitems(items):
    """Transactional tests (a live server, threads) empty every table when they finish.

    Serialized rollback puts back what the migrations seeded (the charter's parameters and
    the like) before each of them, so later tests still find it.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = {"transactional_db", "live_server"} & set(item.fixturenames) or (
            marker is not None and marker.kwargs.get("transaction")
        )
        if transactional:
            kwargs = {**(marker.kwargs if marker else {})}
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)
    items.sort(key=_running_order)


# Markers of the tests that take tens of seconds each: a browser, servers of their own, or
# marked slow.
LONG_RUNNING = ("e2e", "own_database", "xdist_group", "slow")


def _running_order(item) -> tuple[int, int]:
    """Where a test goes in the run: those that need no database first, then those that
    roll their transaction back, then the transactional ones (they empty the tables, so
    nothing that needs the seeded rows may follow them on a worker). Within each, the long
    tests start first: the workers hand out tests in this order, and a long one handed
    out last keeps one core busy while the other waits for it."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        database = 2
    elif marker is not None or "db" in item.fixturenames:
        database = 1
    else:
        database = 0
    long_running = any(item.get_closest_marker(name) for name in LONG_RUNNING)
    return database, 0 if long_running else 1


CHROMIUM = "/usr/bin/chromium"
# Headless, and quiet: the machines that run the tests have no internet to call home to.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser(monkeypatch):
    """Debian's Chromium under Playwright's sync API, for the browser tests (marked e2e).

    There is no skip when Chromium is missing: `make test` installs it, and a silent skip
    would hide that the browser tests never ran.
    """
    from django.db import connections
    from playwright import sync_api

    # Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests
    # make between browser steps are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        # Inside that event loop the ORM keeps its own connections; close them here, or
        # PostgreSQL refuses to drop the test database at the end of the run.
        connections.close_all()


class LimitsClock:
    """The sign-in limits' clock, moved by hand."""

    def __init__(self):
        self.at = 1_800_000_000.0

    def __call__(self) -> float:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += seconds


@pytest.fixture
def limits_clock(monkeypatch):
    """Sign-in limits (identity.login_limits) that count time by ``LimitsClock``, for the
    identity tests and the sites tests that judge the same limits."""
    from solhost.identity import login_limits

    clock = LimitsClock()
    monkeypatch.setattr(login_limits, "now", clock)
    return clock
