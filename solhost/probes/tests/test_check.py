import time

import pytest

from solhost.probes import check
from solhost.probes.check import answers_up, check_url
from solhost.probes.tests.services import (
    ENDLESS,
    FAILING,
    MOVED_AWAY,
    MOVED_HERE,
    SIGN_IN,
    SLOW,
    closed_port_url,
    stand_in_services,
)

LOOPBACK = {"127.0.0.1"}


def probe(url: str, *, hosts=LOOPBACK, private_allowed=True, timeout=5.0, **extra):
    return check_url(
        url, declared_hosts=hosts, private_allowed=private_allowed, timeout=timeout, **extra
    )


def test_a_service_answering_200_is_up_with_its_latency(services):
    found = probe(services.base + "/")
    assert found.up and not found.refused
    assert found.status_code == 200
    assert found.latency_ms is not None and found.latency_ms < 5000
    assert found.problem == ""


def test_a_service_answering_500_is_down(services):
    found = probe(services.base + FAILING)
    assert not found.up and not found.refused
    assert (found.status_code, found.problem) == (500, "answered HTTP 500")


def test_a_service_asking_to_sign_in_is_up(services):
    assert probe(services.base + SIGN_IN).up


def test_a_refused_connection_is_down():
    found = probe(closed_port_url())
    assert not found.up and not found.refused
    assert found.problem.startswith("the service could not be reached")


def test_a_service_that_never_answers_is_down_when_the_time_is_up(services):
    started = time.monotonic()
    found = probe(services.base + SLOW, timeout=0.3)
    assert time.monotonic() - started < 2
    assert not found.up
    assert found.problem == "no answer within 0.3 seconds"


def test_an_endless_answer_is_read_only_up_to_the_cap(services):
    started = time.monotonic()
    found = probe(services.base + ENDLESS, max_bytes=100_000)
    assert found.up
    assert time.monotonic() - started < 2


def test_a_redirect_on_the_declared_host_is_followed(services):
    found = probe(services.base + MOVED_HERE)
    assert found.up and found.status_code == 200
    assert services.requests["/"] >= 1


def test_a_redirect_to_a_host_the_service_did_not_declare_is_not_followed(services):
    with stand_in_services() as elsewhere:
        services.redirect_away_to = elsewhere.base.replace("127.0.0.1", "localhost") + "/"
        found = probe(services.base + MOVED_AWAY)
        assert not found.up and not found.refused
        assert found.status_code == 302
        assert found.problem == (
            "redirects to localhost, a host the service does not declare; not followed"
        )
        assert sum(elsewhere.requests.values()) == 0


def test_a_public_address_inside_a_private_network_is_not_requested(services):
    before = services.requests["/"]
    found = probe(services.base + "/", private_allowed=False)
    assert found.refused and not found.up
    assert "127.0.0.1, which is not a public address" in found.problem
    assert services.requests["/"] == before


def test_only_web_addresses_are_checked():
    found = probe("ftp://127.0.0.1/", hosts={"127.0.0.1"})
    assert not found.up
    assert found.problem == "ftp://127.0.0.1/ is not an http:// or https:// address"


def test_a_port_no_connection_can_use_is_down():
    # Django's URLValidator lets the service's address through with it.
    found = probe("http://127.0.0.1:99999/", hosts={"127.0.0.1"})
    assert not found.up and not found.refused
    assert found.problem == "http://127.0.0.1:99999/ has a port that is not a number to 65535"


def test_a_failed_name_lookup_is_down():
    found = probe("http://no-such-host.invalid/", hosts={"no-such-host.invalid"})
    assert not found.up and not found.refused
    assert found.problem.startswith("no-such-host.invalid could not be resolved")


@pytest.mark.parametrize(
    ("status", "up"),
    [(200, True), (204, True), (401, True), (403, True), (404, False), (502, False)],
)
def test_which_answers_count_as_up(status, up):
    assert answers_up(status) is up


def test_a_redirect_to_no_address_at_all_is_not_followed(services):
    # The Location header is whatever the service sends; the parser refuses this one.
    services.redirect_away_to = "http://[x/"
    found = probe(services.base + MOVED_AWAY)
    assert not found.up and not found.refused
    assert found.status_code == 302
    assert found.problem == "redirects to 'http://[x/', which is no address; not followed"


def test_at_most_a_few_redirects_are_followed(services, monkeypatch):
    monkeypatch.setattr(check, "MAX_REDIRECTS", 0)
    found = probe(services.base + MOVED_HERE)
    assert not found.up
    assert found.problem == "more than 0 redirects"


def test_a_failed_secure_connection_is_down(services):
    # The stand-in speaks plain HTTP: a TLS handshake with it fails.
    found = probe(services.base.replace("http://", "https://") + "/")
    assert not found.up and not found.refused
    assert found.problem == "the secure connection failed (WRONG_VERSION_NUMBER)"
