"""A closing partner on the public pages and at sign-in.

The directory's cards and the service page say "closing on DATE" from the announcement,
"closed" from the shutdown day without anything being saved, and the directory stops
listing the services once the steward completes the wind-down. From the no-new-sign-ups
day the service lets in only its own residents, and from the shutdown nobody.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from solhost.identity.models import Consent
from solhost.identity.tests.oidc import (
    authorize_params,
    consent,
    consent_form_data,
    make_client,
    query_of,
)
from solhost.partners.directory import kind_words
from solhost.partners.listing_cache import current_stamp
from solhost.winddown import actions
from solhost.winddown.models import Case
from solhost.winddown.tests.helpers import DATES, closing_story, start

DIRECTORY = reverse("web:directory")
SERVICE_PAGE = reverse("web:service", args=["mcc-files"])
AUTHORIZE = reverse("oauth2_provider:authorize")
BEFORE_CUT_OFF = datetime.date(2026, 12, 10)
AFTER_CUT_OFF = datetime.date(2027, 1, 10)
SHUTDOWN = DATES["shutdown_on"]


@pytest.fixture
def story(world):
    return closing_story(world)


@pytest.fixture
def on_day(monkeypatch):
    """Set the day the site thinks it is."""

    def set_day(day: datetime.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    return set_day


def test_announcing_shows_closing_on_the_cards_and_the_service_page(client, story, on_day):
    on_day(BEFORE_CUT_OFF)
    # Seen before the announcement, so the cached cards must be renewed by it.
    assertNotContains(client.get(DIRECTORY), "Closing on")
    assertNotContains(client.get(SERVICE_PAGE), "Closing on")
    start(story)
    assertContains(client.get(DIRECTORY), "Closing on 31 March 2027")
    page = client.get(SERVICE_PAGE)
    assertContains(page, "Closing on 31 March 2027.")
    assertContains(page, "It takes no new residents from 15 December 2026.")
    assertContains(page, 'href="/closing/mcc/"')
    # Another partner's services are not closing.
    assertNotContains(client.get(DIRECTORY, {"kind": "chat"}), "Closing on")


def test_the_days_passing_change_the_words_without_a_save(client, story, on_day):
    start(story)
    on_day(BEFORE_CUT_OFF)
    assertContains(client.get(SERVICE_PAGE), "It takes no new residents from 15 December 2026.")
    on_day(AFTER_CUT_OFF)
    assertContains(client.get(SERVICE_PAGE), "It takes no new residents.")
    on_day(SHUTDOWN)
    assertContains(client.get(DIRECTORY), "Closed on 31 March 2027")
    assertContains(client.get(SERVICE_PAGE), "Closed on 31 March 2027.")


def test_a_completed_wind_down_leaves_the_directory(client, story, on_day):
    wind_down = start(story)
    on_day(AFTER_CUT_OFF)
    assertContains(client.get(DIRECTORY), "MCC Files")
    for case in Case.objects.all():
        actions.decline(case=case, resident=case.resident)
    actions.complete_wind_down(
        wind_down=wind_down, actor=story.sam, confirmed=True, today=AFTER_CUT_OFF
    )
    listing = client.get(DIRECTORY)
    assertNotContains(listing, "MCC Files")
    assertContains(listing, "CCT Chat")
    assertNotContains(client.get(DIRECTORY, {"q": "files"}), "MCC Files")
    # Its page stays, saying so, for anyone who follows an old link.
    assertContains(client.get(SERVICE_PAGE), "Closing on 31 March 2027.")
    # The API's list and the counts of services by kind and partner leave it out too.
    listed = {s["slug"] for s in client.get("/api/v1/services").json()}
    assert listed == {"cct-chat", "cct-files", "fff-files"}
    assert client.get("/api/v1/services", {"partner": "mcc"}).json() == []
    assertContains(client.get(reverse("web:partners")), "0 services")
    kinds = {kind.slug: kind.services for kind in kind_words(stamp=current_stamp())}
    assert kinds["files"] == 2


def _authorize(client, registered, **overrides):
    return client.get(AUTHORIZE, authorize_params(registered, **overrides))


def test_a_new_resident_is_refused_from_the_no_new_sign_ups_day(client, story, on_day):
    registered = make_client(story.mcc_service)
    start(story)
    client.force_login(story.carol)
    on_day(AFTER_CUT_OFF)
    page = _authorize(client, registered)
    assert page.status_code == 403
    assertContains(
        page,
        "Merri Creek Computing is closing on 31 March 2027 and takes no new residents into "
        "MCC Files.",
        status_code=403,
    )
    assertContains(page, "?kind=files", status_code=403)
    assert not Consent.objects.filter(user=story.carol, client=registered.client).exists()
    # A service asking without a page hears why.
    query = query_of(_authorize(client, registered, prompt="none"))
    assert query["error"] == "access_denied"
    assert "takes no new residents" in query["error_description"]


def test_someone_sent_to_sign_up_hears_first_that_no_one_new_is_taken(client, story, on_day):
    # A service's "create an account" button (prompt=create): nobody is asked to make an
    # account the closing service would then refuse.
    registered = make_client(story.mcc_service)
    start(story)
    on_day(BEFORE_CUT_OFF)
    before = _authorize(client, registered, prompt="create")
    on_day(AFTER_CUT_OFF)
    after = _authorize(client, registered, prompt="create")

    assert before["Location"].startswith(reverse("account_signup"))
    assertContains(after, "MCC Files takes no new residents", status_code=403)
    assertContains(after, "takes no new residents into MCC Files.", status_code=403)
    assertContains(after, "?kind=files", status_code=403)


def test_a_consent_form_shown_before_the_cut_off_is_refused_after_it(client, story, on_day):
    registered = make_client(story.mcc_service)
    start(story)
    client.force_login(story.carol)
    on_day(BEFORE_CUT_OFF)
    data = consent_form_data(_authorize(client, registered))
    on_day(AFTER_CUT_OFF)
    refused = client.post(AUTHORIZE, {**data, "allow": "Authorize"})
    assertContains(refused, "takes no new residents", status_code=403)
    assert not Consent.objects.filter(user=story.carol, client=registered.client).exists()


def test_residents_keep_signing_in_until_the_shutdown(client, story, on_day):
    registered = make_client(story.mcc_service)
    start(story)
    on_day(BEFORE_CUT_OFF)
    client.force_login(story.carol)
    assert "code" in consent(client, authorize_params(registered))
    on_day(AFTER_CUT_OFF)
    # Rita used the service before (an active day); Carol has just connected.
    for resident in (story.rita, story.carol):
        client.force_login(resident)
        assert "code" in consent(client, authorize_params(registered, prompt="consent"))
    on_day(SHUTDOWN)
    refused = _authorize(client, registered)
    assertContains(refused, "Merri Creek Computing has closed", status_code=403)


def test_a_partner_not_closing_lets_everyone_in(client, story, on_day):
    registered = make_client(story.cct_files)
    on_day(AFTER_CUT_OFF)
    client.force_login(story.dan)
    assert "code" in consent(client, authorize_params(registered))
