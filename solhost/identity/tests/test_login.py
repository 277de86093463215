from allauth.account import app_settings as allauth_settings
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from solhost.identity.tests.test_session_claims import with_totp
from solhost.test import PASSWORD

WRONG = "not the passphrase at all"
MISMATCH = "The email address and/or password you specified are not correct."


def limit(action: str, per: str) -> int:
    """How many attempts the configured allauth rate for ``action`` allows ``per`` ip/key."""
    for rate in allauth_settings.RATE_LIMITS[action].split(","):
        amount, _duration, rate_per = rate.strip().split("/")
        if rate_per == per:
            return int(amount)
    raise AssertionError(f"no {per} rate configured for {action}")


def log_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_a_resident_logs_in_with_their_email(client, world):
    response = log_in(client, "rita@example.org", PASSWORD)

    assertRedirects(response, reverse("web:home"), fetch_redirect_response=False)
    assert client.session["_auth_user_id"] == str(world.rita.pk)


def test_the_email_is_not_case_sensitive(client, world):
    log_in(client, "Rita@Example.org", PASSWORD)

    assert client.session["_auth_user_id"] == str(world.rita.pk)


def test_a_wrong_password_shows_an_error_and_logs_nobody_in(client, world):
    response = log_in(client, "rita@example.org", WRONG)

    assertContains(response, MISMATCH)
    assertContains(response, 'class="form-errors" role="alert"')
    assert "_auth_user_id" not in client.session


def test_an_unknown_address_gets_the_same_error(client, world):
    response = log_in(client, "nobody@example.org", PASSWORD)

    assertContains(response, MISMATCH)


def test_failed_logins_slow_that_address_down_without_locking_the_account(client, world):
    # No lock: allauth's login_failed limit, which refused the right password from every
    # address after five failures, is off. The details are in test_login_limits.py.
    for _ in range(6):
        assertContains(log_in(client, "rita@example.org", WRONG), MISMATCH)

    assertContains(log_in(client, "rita@example.org", PASSWORD), "Please wait 2 seconds")
    assert "_auth_user_id" not in client.session
    client.post(
        reverse("account_login"),
        {"login": "rita@example.org", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.7",
    )
    assert client.session["_auth_user_id"] == str(world.rita.pk)


def test_a_flood_of_login_posts_from_one_address_is_refused_with_429(client, world):
    for _ in range(limit("login", "ip")):
        assert log_in(client, "rita@example.org", WRONG).status_code == 200

    response = log_in(client, "rita@example.org", PASSWORD)

    assert response.status_code == 429
    assertContains(response, "Too many attempts", status_code=429)
    assert "Content-Security-Policy" in response.headers
    assert "_auth_user_id" not in client.session


def test_other_addresses_are_not_blocked(client, world):
    for _ in range(limit("login", "ip")):
        log_in(client, "rita@example.org", WRONG)

    response = client.post(
        reverse("account_login"),
        {"login": "carol@example.org", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.7",
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.carol.pk)


def test_the_login_page_links_to_password_reset(client, db):
    response = client.get(reverse("account_login"))

    assertContains(response, reverse("account_reset_password"))
    assertNotContains(response, "style=")


def test_the_stewards_second_factor_is_asked_for_wherever_they_sign_in(client, world):
    """The admin's own login form signed a steward in with their password alone; it
    sends them to the region's sign-in, which asks for the second factor after it."""
    with_totp(world.sam)

    response = client.post(reverse("admin:login"), {"username": "sam", "password": PASSWORD})

    assert response["Location"].startswith(reverse("account_login") + "?next=")
    assert "_auth_user_id" not in client.session
    asked = log_in(client, "sam@example.org", PASSWORD)
    assert asked["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
