"""``solhost serve``'s gunicorn settings, as the command builds them from its options."""

import pytest
from django.core.management import CommandError, call_command
from gunicorn.config import Config

from solhost.core.management.commands import serve


def options(**given) -> dict:
    defaults = {"host": "127.0.0.1", "port": 8000, "workers": 2, "threads": 4, "timeout": 120}
    return serve.gunicorn_options(**{**defaults, "max_requests": serve.MAX_REQUESTS, **given})


def test_gunicorn_takes_every_setting_the_command_gives_it():
    config = Config()
    for name, value in options().items():
        config.set(name, value)
    assert config.worker_class_str == "gthread"
    assert config.max_requests == serve.MAX_REQUESTS


def test_workers_are_replaced_rarely_and_never_together():
    # Each replacement starts a worker with empty caches, which then rebuilds every page:
    # a busy region must not replace its workers every few seconds.
    assert serve.MAX_REQUESTS >= 50_000
    assert options(max_requests=30_000)["max_requests_jitter"] == 3_000


def test_zero_max_requests_never_replaces_a_worker():
    assert options(max_requests=0)["max_requests"] == 0
    assert options(max_requests=0)["max_requests_jitter"] == 0


def test_an_ipv6_address_is_bracketed():
    assert options(host="::1", port=8001)["bind"] == "[::1]:8001"


@pytest.mark.parametrize("flag, value", [("--max-requests", "-1"), ("--workers", "0")])
def test_a_bad_number_is_refused_naming_the_option(flag, value):
    with pytest.raises(CommandError, match=flag.removeprefix("--").replace("-", "[-_]")):
        call_command("serve", flag, value)
