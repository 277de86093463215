"""Sign-in limits: guessing slows down, the owner is never locked out.

Personas: the ``owner`` is rita, at home on 10.0.0.7; the ``attacker`` guesses from
10.0.0.66 (and a few neighbours on 10.0.1.x). Each has their own browser (test client).
"""

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from solhost.core.client_address import parse_trusted_proxies
from solhost.core.models import AuditEvent
from solhost.identity import login_limits
from solhost.identity.tests.test_session_claims import current_totp_code
from solhost.test import PASSWORD

OWNER = "rita@example.org"
HOME = "10.0.0.7"
ATTACKER = "10.0.0.66"
WRONG = "not the passphrase at all"
MISMATCH = "The email address and/or password you specified are not correct."
ACCOUNT_WAIT = "Too many failed sign-ins to this account from your network."
ADDRESS_WAIT = "Too many failed sign-ins from your network."
OTHER_ADDRESS = "Rita.Works@example.net"

LIMITS = {
    "free_failures": 5,
    "max_delay_seconds": 900,
    "pair_memory_seconds": 24 * 60 * 60,
    # Smaller than production's 30 so a test stays under allauth's 30 posts a minute.
    "address_failures": 12,
    "address_window_seconds": 15 * 60,
    "burst_failures": 10,
    "burst_window_seconds": 15 * 60,
    "alert_interval_seconds": 60 * 60,
}


@pytest.fixture(autouse=True)
def limits(settings):
    settings.SOLHOST_LOGIN_LIMITS = LIMITS


@pytest.fixture
def world(world, settings):
    # Argon2 is slow on purpose and these tests check a few hundred passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for resident in (world.rita, world.carol):
        resident.set_password(PASSWORD)
        resident.save(update_fields=["password"])
    return world


@pytest.fixture
def second_address(world):
    """Rita also signs in with her work address (kept lowercased, as allauth keeps them)."""
    world.rita.emailaddress_set.create(email=OTHER_ADDRESS.lower(), verified=True, primary=False)
    return OTHER_ADDRESS


@pytest.fixture
def owner():
    return Client()


@pytest.fixture
def attacker():
    return Client()


def sign_in(browser, email, password, address, **headers):
    return browser.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def signed_in_as(browser, user) -> bool:
    return browser.session.get("_auth_user_id") == str(user.pk)


def fail(browser, times, email=OWNER, address=ATTACKER):
    for _ in range(times):
        assertContains(sign_in(browser, email, WRONG, address), MISMATCH)


def test_the_wait_doubles_after_the_free_failures_up_to_the_cap(settings):
    assert [login_limits.delay(n, free=5) for n in (0, 5, 6, 7, 8, 14)] == [0, 0, 2, 4, 8, 512]
    assert login_limits.delay(15, free=5) == 900
    assert login_limits.delay(10_000, free=5) == 900


def test_the_attacker_is_slowed_down_while_the_owner_signs_in_from_home(
    attacker, owner, world, limits_clock
):
    fail(attacker, 6)

    # Even the right password is not checked during the wait: guessing cannot go on.
    response = sign_in(attacker, OWNER, PASSWORD, ATTACKER)
    assertContains(response, ACCOUNT_WAIT)
    assertContains(response, "Please wait 2 seconds, then try again.")
    assertContains(response, 'class="form-errors" role="alert"')
    assert not signed_in_as(attacker, world.rita)

    response = sign_in(owner, OWNER, PASSWORD, HOME)
    assert response.status_code == 302
    assert signed_in_as(owner, world.rita)


def test_the_first_failures_cost_nothing(attacker, world, limits_clock):
    fail(attacker, LIMITS["free_failures"])

    sign_in(attacker, OWNER, PASSWORD, ATTACKER)

    assert signed_in_as(attacker, world.rita)


def test_a_refused_attempt_is_neither_checked_nor_counted(attacker, world, limits_clock):
    fail(attacker, 6)
    failures_audited = AuditEvent.objects.filter(action="identity.login_failed").count()

    for _ in range(3):
        assertContains(sign_in(attacker, OWNER, WRONG, ATTACKER), ACCOUNT_WAIT)

    # No password was tried, so nothing new is audited and the wait has not grown.
    assert AuditEvent.objects.filter(action="identity.login_failed").count() == failures_audited
    limits_clock.advance(2)
    sign_in(attacker, OWNER, PASSWORD, ATTACKER)
    assert signed_in_as(attacker, world.rita)


def test_after_the_wait_the_attempt_is_checked_again(attacker, world, limits_clock):
    fail(attacker, 6)
    limits_clock.advance(1)
    assertContains(sign_in(attacker, OWNER, WRONG, ATTACKER), "Please wait 1 second,")

    limits_clock.advance(1)
    assertContains(sign_in(attacker, OWNER, WRONG, ATTACKER), MISMATCH)
    # The 7th failure doubles the wait.
    assertContains(sign_in(attacker, OWNER, WRONG, ATTACKER), "Please wait 4 seconds,")

    limits_clock.advance(4)
    sign_in(attacker, OWNER, PASSWORD, ATTACKER)
    assert signed_in_as(attacker, world.rita)


def test_long_waits_are_told_in_minutes(attacker, world, limits_clock):
    for _ in range(14):
        sign_in(attacker, OWNER, WRONG, ATTACKER)
        limits_clock.advance(900)

    assertContains(sign_in(attacker, OWNER, WRONG, ATTACKER), MISMATCH)
    assertContains(sign_in(attacker, OWNER, WRONG, ATTACKER), "Please wait 15 minutes,")


@pytest.mark.parametrize("typed", [OWNER, OTHER_ADDRESS], ids=["primary", "other address"])
def test_a_success_clears_the_pair(owner, world, second_address, limits_clock, typed):
    fail(owner, 6, address=HOME)
    limits_clock.advance(2)
    sign_in(owner, typed, PASSWORD, HOME)
    assert signed_in_as(owner, world.rita)
    owner.logout()

    fail(owner, LIMITS["free_failures"], address=HOME)
    sign_in(owner, OWNER, PASSWORD, HOME)

    assert signed_in_as(owner, world.rita)


def test_a_pair_is_forgotten_after_a_day_without_failures(attacker, world, limits_clock):
    fail(attacker, 6)
    limits_clock.advance(LIMITS["pair_memory_seconds"])

    fail(attacker, LIMITS["free_failures"])
    sign_in(attacker, OWNER, PASSWORD, ATTACKER)

    assert signed_in_as(attacker, world.rita)


def test_any_of_the_accounts_addresses_counts_against_the_one_account(world, second_address):
    ritas = f"account {world.rita.pk}"
    assert login_limits.account_tried(OWNER) == ritas
    assert login_limits.account_tried(second_address) == ritas
    assert login_limits.account_tried(f"  {second_address.upper()} ") == ritas
    assert login_limits.owner_of(ritas) == world.rita.pk
    assert login_limits.addresses_of(ritas) == sorted([OWNER, second_address.lower()])


def test_an_address_without_an_account_counts_as_itself(world):
    assert login_limits.account_tried("Nobody@Example.org") == "address nobody@example.org"
    assert login_limits.owner_of("address nobody@example.org") is None
    assert login_limits.addresses_of("address nobody@example.org") == ["nobody@example.org"]
    # Typed to look like an account's name, it is still only an address.
    typed = f"account {world.rita.pk}"
    assert login_limits.account_tried(typed) == f"address {typed}"


def test_the_owner_changing_the_address_they_sign_in_with_keeps_the_guessers_count(
    attacker, owner, world, second_address, limits_clock
):
    fail(attacker, 6)
    sign_in(owner, OWNER, PASSWORD, HOME)
    owner.post(reverse("account_email"), {"action_primary": "", "email": second_address.lower()})
    world.rita.refresh_from_db()
    assert world.rita.email == second_address.lower()

    for typed in (OWNER, second_address):
        assertContains(sign_in(attacker, typed, PASSWORD, ATTACKER), ACCOUNT_WAIT)
        assert not signed_in_as(attacker, world.rita)


def test_taking_turns_between_the_accounts_addresses_gains_nothing(
    attacker, owner, world, second_address, limits_clock
):
    fail(attacker, 3)
    fail(attacker, 3, email=second_address)

    # Six failures against rita's account, whichever address was typed: the wait holds for both.
    for typed in (OWNER, second_address):
        response = sign_in(attacker, typed, PASSWORD, ATTACKER)
        assertContains(response, ACCOUNT_WAIT)
        assert not signed_in_as(attacker, world.rita)

    sign_in(owner, second_address, PASSWORD, HOME)
    assert signed_in_as(owner, world.rita)


def test_the_owner_behind_the_attackers_address_waits_like_the_attacker(owner, attacker, world):
    """A choice: the limits cannot tell two people apart behind one address (a shared
    network, a café's). The owner there waits, signs in from another network, or resets
    the password, which voids every address's failures against the account."""
    fail(attacker, 6)

    assertContains(sign_in(owner, OWNER, PASSWORD, ATTACKER), ACCOUNT_WAIT)
    assert not signed_in_as(owner, world.rita)


def test_a_password_reset_voids_the_failures_against_the_account(
    owner, attacker, world, limits_clock, mailoutbox
):
    fail(attacker, 6)
    owner.post(reverse("account_reset_password"), {"email": OWNER}, REMOTE_ADDR=ATTACKER)
    link = next(w for w in mailoutbox[0].body.split() if "/password/reset/key/" in w)
    form_page = owner.get(link, follow=True, REMOTE_ADDR=ATTACKER)
    new = "a fresh river stone"
    owner.post(
        form_page.redirect_chain[-1][0],
        {"password1": new, "password2": new},
        REMOTE_ADDR=ATTACKER,
    )

    sign_in(owner, OWNER, new, ATTACKER)

    assert signed_in_as(owner, world.rita)


def test_many_accounts_from_one_address_slow_that_address_down(
    attacker, owner, world, limits_clock
):
    budget = LIMITS["address_failures"]
    for n in range(budget + 1):
        fail(attacker, 1, email=f"someone{n}@example.org")

    # A fresh account from the same address waits too: the address is what is slowed down.
    response = sign_in(attacker, "carol@example.org", PASSWORD, ATTACKER)
    assertContains(response, ADDRESS_WAIT)
    assertContains(response, "Please wait 2 seconds,")
    assert not signed_in_as(attacker, world.carol)

    sign_in(owner, OWNER, PASSWORD, HOME)
    assert signed_in_as(owner, world.rita)


def test_an_address_budget_is_per_window(attacker, world, limits_clock):
    for n in range(LIMITS["address_failures"] + 3):
        limits_clock.advance(8)
        fail(attacker, 1, email=f"someone{n}@example.org")
    assertContains(sign_in(attacker, "carol@example.org", PASSWORD, ATTACKER), ADDRESS_WAIT)

    limits_clock.advance(LIMITS["address_window_seconds"])
    sign_in(attacker, "carol@example.org", PASSWORD, ATTACKER)

    assert signed_in_as(attacker, world.carol)


def test_a_burst_of_failures_emails_the_owner_once_an_hour(
    attacker, world, limits_clock, mailoutbox
):
    neighbour = Client()
    fail(attacker, 5)
    limits_clock.advance(60)
    fail(neighbour, 4, address="10.0.1.9")
    assert mailoutbox == []

    fail(neighbour, 1, address="10.0.1.9")

    [alert] = mailoutbox
    assert alert.to == [OWNER]
    assert alert.subject == "Failed sign-ins to your Test Region account"
    assert "a wrong password 10 times, from 2 network addresses" in alert.body
    assert "(Melbourne time)" in alert.body
    assert reverse("account_change_password") in alert.body
    assert reverse("mfa_index") in alert.body
    event = AuditEvent.objects.get(action="identity.login_burst_alert")
    assert event.object_id == str(world.rita.pk)

    # More failures within the hour, from more addresses, send nothing more.
    for n in range(3):
        fail(Client(), 5, address=f"10.0.2.{n}")
    limits_clock.advance(30 * 60)
    for n in range(3):
        fail(Client(), 5, address=f"10.0.3.{n}")
    assert len(mailoutbox) == 1

    limits_clock.advance(31 * 60)
    fail(Client(), 5, address="10.0.4.1")
    fail(Client(), 5, address="10.0.4.2")
    assert len(mailoutbox) == 2


def test_a_burst_across_the_accounts_addresses_emails_the_owner(
    world, second_address, limits_clock, mailoutbox
):
    fail(Client(), 5, address="10.0.1.8")
    fail(Client(), 5, email=second_address, address="10.0.1.9")

    [alert] = mailoutbox
    assert alert.to == [OWNER]
    assert "a wrong password 10 times, from 2 network addresses" in alert.body


def test_the_alert_goes_to_a_verified_address_of_the_owner(world, limits_clock, mailoutbox):
    """The address rita signs in with is new and not yet verified: the one she verified
    is written to, and the unverified one never."""
    new = "rita.new@example.net"
    world.rita.emailaddress_set.update(primary=False)
    world.rita.emailaddress_set.create(email=new, verified=False, primary=True)
    world.rita.email = new
    world.rita.save(update_fields=["email"])

    fail(Client(), 5, email=new, address="10.0.1.8")
    fail(Client(), 5, address="10.0.1.9")

    [alert] = mailoutbox
    assert alert.to == [OWNER]


def test_no_mail_is_sent_for_an_address_without_an_account(world, limits_clock, mailoutbox):
    for n in range(4):
        fail(Client(), 5, email="nobody@example.org", address=f"10.0.1.{n}")

    assert mailoutbox == []


def test_reauthentication_counts_and_waits_with_the_login_form(owner, world, limits_clock):
    sign_in(owner, OWNER, PASSWORD, HOME)
    url = reverse("account_reauthenticate")
    for _ in range(6):
        owner.post(url, {"password": WRONG}, REMOTE_ADDR=HOME)

    response = owner.post(url, {"password": PASSWORD}, REMOTE_ADDR=HOME)

    assertContains(response, ACCOUNT_WAIT)


def test_wrong_second_factor_codes_still_meet_allauths_limit(owner, world, limits_clock):
    secret = generate_totp_secret()
    TOTP.activate(world.rita, secret)
    valid = [format_hotp_value(hotp_value(secret, n)) for n in yield_hotp_counters_from_time()]
    right = current_totp_code(secret)
    wrong = next(code for code in ("123456", "654321", "111111") if code not in valid)
    response = sign_in(owner, OWNER, PASSWORD, HOME)
    assert response["Location"] == reverse("mfa_authenticate")
    for _ in range(5):
        response = owner.post(reverse("mfa_authenticate"), {"code": wrong}, REMOTE_ADDR=HOME)
        assertContains(response, "Incorrect code.")

    response = owner.post(reverse("mfa_authenticate"), {"code": right}, REMOTE_ADDR=HOME)

    assertContains(response, "Too many failed login attempts.")
    assert not signed_in_as(owner, world.rita)


def test_two_attempts_for_one_pair_are_never_checked_at_once(world):
    request = RequestFactory().post("/", REMOTE_ADDR=ATTACKER)

    assert login_limits.start_attempt(request, OWNER) is None
    assert login_limits.start_attempt(request, OWNER) == login_limits.Wait(1, of="account")
    login_limits.finish_attempt(request, OWNER)
    assert login_limits.start_attempt(request, OWNER) is None


def test_an_ipv6_client_counts_as_its_64_network():
    def address(raw):
        return login_limits.client_address(RequestFactory().get("/", REMOTE_ADDR=raw))

    assert address("2001:db8:1:2::5") == address("2001:db8:1:2:ffff::9") == "2001:db8:1:2::"
    assert address("2001:db8:1:3::5") != address("2001:db8:1:2::5")
    assert address("::ffff:10.0.0.66") == ATTACKER


def test_clients_behind_a_trusted_proxy_are_limited_separately(
    settings, owner, attacker, world, limits_clock
):
    settings.SOLHOST_TRUSTED_PROXIES = parse_trusted_proxies("10.0.0.1")

    for _ in range(6):
        sign_in(attacker, OWNER, WRONG, "10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.66")
    response = sign_in(attacker, OWNER, PASSWORD, "10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.66")
    assertContains(response, ACCOUNT_WAIT)

    response = sign_in(owner, OWNER, PASSWORD, "10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assertNotContains(response, ACCOUNT_WAIT, status_code=302)
    assert signed_in_as(owner, world.rita)


def test_the_admin_checks_no_password_itself(attacker, world, limits_clock):
    """Django's admin has a login form of its own, which checked the steward's password
    past these limits and without their second factor. It sends to the region's sign-in."""
    world.sam.set_password(PASSWORD)
    world.sam.save(update_fields=["password"])
    steward = {"username": "sam@example.org", "password": WRONG}
    for _ in range(LIMITS["free_failures"] + 1):
        attacker.post(reverse("admin:login"), steward, REMOTE_ADDR=ATTACKER)

    guessed = attacker.post(
        reverse("admin:login"), {**steward, "password": PASSWORD}, REMOTE_ADDR=ATTACKER
    )

    assert guessed.status_code == 302
    assert guessed["Location"].startswith(reverse("account_login") + "?next=")
    assert not signed_in_as(attacker, world.sam)
    assert not AuditEvent.objects.filter(action="identity.login_failed").exists()
