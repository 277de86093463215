"""The real client's address behind proxies, and forwarded headers nobody trusted sent."""

import pytest
from django.test import override_settings
from django.urls import reverse

from solhost.core.audit import AuditAction
from solhost.core.client_address import (
    NO_PROXY,
    client_address,
    parse_trusted_proxies,
)
from solhost.core.models import AuditEvent

LOCAL_PROXY = parse_trusted_proxies("127.0.0.1,::1")
PROXY_NETWORK = parse_trusted_proxies("10.1.0.0/16, 127.0.0.1")


def test_a_client_straight_to_the_server_is_its_own_address_whatever_it_claims():
    assert client_address("203.0.113.9", "198.51.100.1", LOCAL_PROXY) == "203.0.113.9"
    assert client_address("203.0.113.9", "198.51.100.1", NO_PROXY) == "203.0.113.9"


def test_behind_one_trusted_proxy_the_client_is_the_address_it_forwarded():
    assert client_address("127.0.0.1", "203.0.113.9", LOCAL_PROXY) == "203.0.113.9"
    assert client_address("::1", "2001:db8::9", LOCAL_PROXY) == "2001:db8::9"


def test_a_forged_header_before_the_proxy_entry_is_skipped_over():
    # The client sent "X-Forwarded-For: 10.9.9.9" itself; the proxy appended the real address.
    assert client_address("127.0.0.1", "10.9.9.9, 203.0.113.9", LOCAL_PROXY) == "203.0.113.9"


def test_a_chain_of_trusted_proxies_is_walked_to_the_first_untrusted_hop():
    forwarded = "10.9.9.9, 203.0.113.9, 10.1.4.4"
    assert client_address("127.0.0.1", forwarded, PROXY_NETWORK) == "203.0.113.9"


def test_addresses_with_ports_name_the_same_client():
    assert client_address("127.0.0.1", "203.0.113.9:51234", LOCAL_PROXY) == "203.0.113.9"
    assert client_address("127.0.0.1", "[2001:db8::9]:443", LOCAL_PROXY) == "2001:db8::9"


def test_garbage_ends_the_walk_at_the_last_trusted_hop():
    assert client_address("127.0.0.1", "203.0.113.9, not-an-address", LOCAL_PROXY) == "127.0.0.1"
    assert client_address("127.0.0.1", "", LOCAL_PROXY) == "127.0.0.1"


def test_a_count_of_proxies_takes_that_many_hops_from_the_right():
    two = parse_trusted_proxies("2")
    assert client_address("192.0.2.50", "10.9.9.9, 203.0.113.9, 192.0.2.77", two) == "203.0.113.9"
    # Fewer hops than proxies: the header can't be right, so the peer is all we know.
    assert client_address("192.0.2.50", "203.0.113.9", two) == "192.0.2.50"


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("0", "at least 1"),
        ("proxy.example.org", "'proxy.example.org' is neither"),
        (" , ", "empty"),
        # A digit to str.isdigit, not to int(): named like any other mistyped entry.
        ("²", "'²' is neither"),
    ],
)
def test_a_mistyped_proxy_setting_says_what_is_wrong(text, complaint):
    with pytest.raises(ValueError, match=complaint):
        parse_trusted_proxies(text)


@pytest.mark.django_db
@override_settings(SOLHOST_TRUSTED_PROXIES=LOCAL_PROXY)
def test_a_failed_sign_in_behind_the_proxy_is_audited_with_the_real_client(client):
    client.post(
        reverse("account_login"),
        {"login": "nobody@example.org", "password": "wrong-password-1"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    failure = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failure.note.endswith("from 203.0.113.9")


@pytest.mark.django_db
@override_settings(
    SOLHOST_TRUSTED_PROXIES=LOCAL_PROXY,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31536000,
)
def test_only_a_trusted_proxy_may_say_the_request_came_over_https(client):
    through_proxy = client.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    assert through_proxy.status_code == 200
    assert through_proxy.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    forged = client.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https")
    assert forged.status_code == 301
    assert forged.headers["Location"].startswith("https://")
    assert "Strict-Transport-Security" not in forged.headers
