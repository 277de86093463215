"""Sign-in limits across sites: a guesser who moves to another site is slowed down there
too, as far as that site knows (the failures other sites recorded, in its database)."""

import datetime

import pytest
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from solhost.core.audit import AuditAction, record
from solhost.identity import login_limits
from solhost.identity.tests.test_login_limits import (
    ACCOUNT_WAIT,
    ATTACKER,
    LIMITS,
    MISMATCH,
    OWNER,
    WRONG,
)
from solhost.sites.limits import failures_recorded_elsewhere
from solhost.sites.models import ForwardedEvent, Site
from solhost.test import PASSWORD


@pytest.fixture
def at_hill(settings, world):
    """This installation plays the site ``hill``, reading the region from its standby."""
    settings.SOLHOST_LOGIN_LIMITS = LIMITS
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world.rita.set_password(PASSWORD)
    world.rita.save(update_fields=["password"])
    settings.SOLHOST_SITE = "hill"
    settings.SOLHOST_SITE_REPLICA_URL = "postgres://standby/region"
    login_limits.failures_elsewhere.connect(failures_recorded_elsewhere, dispatch_uid="test")
    yield Site.objects.create(name="hill", jwks={}, keys_updated_at=timezone.now())
    login_limits.failures_elsewhere.disconnect(dispatch_uid="test")


def _failed_elsewhere(
    times: int, limits_clock, *, address=ATTACKER, site=None, typed=OWNER
) -> None:
    """Failures the region recorded (at the primary, or forwarded by ``site``)."""
    for n in range(times):
        event = record(actor=None, action=AuditAction.LOGIN_FAILED, note=f"{typed} from {address}")
        at = datetime.datetime.fromtimestamp(limits_clock.at - times + n, tz=datetime.UTC)
        type(event).objects.filter(pk=event.pk).update(at=at)
        if site is not None:
            ForwardedEvent.objects.create(
                site=site,
                kind="audit",
                local_id=event.pk,
                received_at=at,
                outcome="stored",
                audit_event=event,
            )


def _sign_in(password: str):
    return Client().post(
        reverse("account_login"), {"login": OWNER, "password": password}, REMOTE_ADDR=ATTACKER
    )


def test_failures_recorded_at_another_site_make_the_guesser_wait_here(at_hill, world, limits_clock):
    _failed_elsewhere(8, limits_clock)
    assertContains(_sign_in(PASSWORD), ACCOUNT_WAIT)


def test_failures_elsewhere_with_another_of_the_accounts_addresses_count_here(
    at_hill, world, limits_clock
):
    world.rita.emailaddress_set.create(email="rita.works@example.net", verified=True)
    _failed_elsewhere(4, limits_clock, typed="Rita.Works@example.net")
    _failed_elsewhere(4, limits_clock)

    assertContains(_sign_in(PASSWORD), ACCOUNT_WAIT)


def test_this_sites_own_forwarded_failures_are_not_counted_twice(at_hill, world, limits_clock):
    _failed_elsewhere(8, limits_clock, site=at_hill)
    assertNotContains(_sign_in(WRONG), ACCOUNT_WAIT)


def test_failures_from_another_address_or_before_a_success_do_not_count(
    at_hill, world, limits_clock
):
    _failed_elsewhere(8, limits_clock, address="10.9.9.9")
    assertContains(_sign_in(WRONG), MISMATCH)
    _failed_elsewhere(8, limits_clock)
    limits_clock.advance(30)
    # The wait is over; the right password signs in and the pair starts afresh.
    response = _sign_in(PASSWORD)
    assert response.status_code == 302, response.content[:500]
    assertNotContains(_sign_in(WRONG), ACCOUNT_WAIT)


def test_a_region_database_out_of_reach_leaves_this_sites_own_count(
    at_hill, world, limits_clock, monkeypatch
):
    def out_of_reach(account):
        raise DatabaseError("could not connect to server")

    monkeypatch.setattr("solhost.sites.limits.addresses_of", out_of_reach)

    account = login_limits.account_tried(OWNER)
    assert failures_recorded_elsewhere(None, account=account, address=ATTACKER, since=0.0) is None


def test_a_region_of_one_site_asks_nobody(world):
    assert not login_limits.failures_elsewhere.has_listeners()
