"""/accounts/: a resident sees their account at a glance, and reaches export and deletion."""

import datetime

from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from solhost.contributions.pledges import set_pledge
from solhost.identity.tests.oidc import make_client
from solhost.identity.tests.test_session_claims import with_totp
from solhost.residents import actions
from solhost.residents.tests.story import october, sign_in, sign_in_to
from solhost.web.tests.pages import assert_clean_page
from solhost.winddown.tests.helpers import closing_story, start

URL = reverse("residents:overview")


def test_the_page_needs_a_login(client, world):
    assertRedirects(client.get(URL), f"{reverse('account_login')}?next={URL}")


def test_allauths_profile_address_leads_to_the_account(client, world):
    client.force_login(world.rita)
    assertRedirects(client.get("/accounts/profile/"), URL)


def test_the_header_leads_a_signed_in_resident_to_their_account(client, world):
    client.force_login(world.rita)
    home = client.get("/")
    assertContains(home, f'<a href="{URL}">Your account</a>', html=True)
    for page in (URL, reverse("account_email"), reverse("identity:connected")):
        assertContains(
            client.get(page), f'<a href="{URL}" aria-current="page">Your account</a>', html=True
        )


def test_it_shows_addresses_sign_in_methods_services_and_money(client, world):
    october(world)
    set_pledge(
        resident=world.rita,
        amount_cents=1500,
        frequency="monthly",
        starts_on=timezone.localdate(),
        actor=world.rita,
    )
    world.rita.emailaddress_set.create(email="rita@work.example.org", verified=False)
    nextcloud = make_client(world.mcc_service)
    browser = sign_in("rita@example.org")
    sign_in_to(browser, nextcloud)
    with_totp(world.rita)

    page = browser.get(URL)

    assert_clean_page(page)
    text = page.content.decode()
    assert "rita@example.org" in text and "rita@work.example.org" in text
    assertContains(page, '<span class="tag tag-warn">not verified</span>', html=True)
    assertContains(page, "TOTP Authenticator")
    assertContains(page, "MCC Files")
    assertContains(page, "1 browser signed in")
    assertContains(page, "$25.00")
    assertContains(page, "<dt>Pledged</dt><dd>$15.00, every month</dd>", html=True)
    assertContains(page, reverse("distribution:where_it_went"))
    assertContains(page, reverse("residents:data"))
    assertContains(page, reverse("residents:delete"))
    assertContains(page, "30 days to change your mind")


def test_a_resident_sees_only_their_own(client, world):
    october(world)
    nextcloud = make_client(world.mcc_service)
    sign_in_to(sign_in("bob@example.org"), nextcloud)
    client.force_login(world.rita)

    page = client.get(URL)

    assertNotContains(page, "bob@example.org")
    assertNotContains(page, "MCC Files")
    assert page.context["payments"] == 1 and page.context["paid_cents"] == 2500


def test_a_pending_deletion_is_shown_with_a_way_to_keep_the_account(client, world):
    actions.request_deletion(user=world.rita, now=timezone.now())
    client.force_login(world.rita)

    page = client.get(URL)

    assertContains(page, "Your account is due to be deleted")
    assertContains(page, f'action="{reverse("residents:cancel_deletion")}"')
    assertNotContains(page, f'href="{reverse("residents:delete")}"')

    kept = client.post(reverse("residents:cancel_deletion"), follow=True)

    assertContains(kept, "Your account will not be deleted.")
    assertNotContains(kept, "Your account is due to be deleted")
    assert world.rita.account_deletions.get().cancelled_at is not None


def test_cancelling_with_nothing_to_cancel_says_so_and_changes_nothing(client, world):
    client.force_login(world.rita)

    page = client.post(reverse("residents:cancel_deletion"), follow=True)

    assertContains(page, "there is nothing to cancel")
    assert not world.rita.account_deletions.exists()


def test_a_resident_cannot_cancel_someone_elses_deletion(client, world):
    actions.request_deletion(user=world.bob, now=timezone.now())
    client.force_login(world.rita)

    client.post(reverse("residents:cancel_deletion"))

    assert world.bob.account_deletions.get().pending


def test_the_grace_period_follows_the_parameter(client, world):
    from solhost.core.models import Parameter

    Parameter.objects.get(key="account_deletion_grace_days").values.create(
        value=14, effective_from=datetime.date(2026, 1, 1), source="A test decision"
    )
    client.force_login(world.rita)
    assertContains(client.get(URL), "14 days to change your mind")


def test_a_resident_with_a_closing_co_ops_service_is_sent_to_their_cases(client, world):
    closing_story(world)
    client.force_login(world.rita)
    assertNotContains(client.get(URL), "A co-op you use is closing")
    start(world)
    page = client.get(URL)
    assertContains(page, "A co-op you use is closing")
    assertContains(page, "1 of your services needs your choice")
    assertContains(page, reverse("winddown:my_cases"))
    # Bob uses nothing of the closing co-op: nothing to say.
    client.force_login(world.bob)
    assertNotContains(client.get(URL), "A co-op you use is closing")
