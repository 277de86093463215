"""A site's settings: checked when the installation starts, and nothing without them."""

import subprocess
import sys

import pytest
from django.conf import settings

from solhost.identity.tests.served import installation_env

CHECK = "import django; django.setup(); from django.conf import settings; print(sorted(settings.DATABASES))"


def _start(tmp_path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", CHECK],
        env={
            **installation_env(
                "sqlite:///" + str(tmp_path / "db.sqlite3"), tmp_path / "var", **env
            ),
            "DJANGO_SETTINGS_MODULE": "solhost.settings",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_a_site_there_is_one_database_and_no_router():
    assert list(settings.DATABASES) == ["default"]
    assert settings.DATABASE_ROUTERS == []
    assert "solhost.sites.middleware.SiteWritesMiddleware" not in settings.MIDDLEWARE


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"SOLHOST_SITE": "Hill Top"}, "a site's name is lower-case letters"),
        (
            {"SOLHOST_SITE": "hill", "SOLHOST_SITE_REPLICA_URL": "postgres://127.0.0.1/region"},
            "also needs SOLHOST_SITE_STORE_URL, SOLHOST_SITE_PRIMARY_URL",
        ),
        (
            {
                "SOLHOST_SITE": "hill",
                "SOLHOST_SITE_REPLICA_URL": "postgres://127.0.0.1/region",
                "SOLHOST_SITE_STORE_URL": "sqlite:///store.sqlite3",
                "SOLHOST_SITE_PRIMARY_URL": "https://main.example.org",
            },
            "a site's databases are PostgreSQL",
        ),
    ],
)
def test_a_site_that_is_not_fully_described_does_not_start(tmp_path, env, says):
    started = _start(tmp_path, **env)
    assert started.returncode != 0 and says in started.stderr, started.stderr[-2000:]


def test_a_site_reads_the_region_from_its_standby_and_writes_to_its_store(tmp_path):
    started = _start(
        tmp_path,
        SOLHOST_SITE="hill",
        SOLHOST_SITE_REPLICA_URL="postgres://127.0.0.1:5999/region",
        SOLHOST_SITE_STORE_URL="postgres://127.0.0.1:5998/store",
        SOLHOST_SITE_PRIMARY_URL="https://main.example.org",
    )
    assert started.returncode == 0, started.stderr[-2000:]
    assert started.stdout.strip() == "['default', 'region']"
