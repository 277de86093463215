"""The public pages keep what they list between requests, and show a change at once.

Each test looks at a page (filling the cache), changes a record the way the region does
(a partner's action, the admin, a qualification run), and looks again.
"""

import datetime

from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from solhost.energy.tests.helpers import with_telemetry
from solhost.energy.wording import NOT_ANALYSED
from solhost.partners import actions
from solhost.partners.listing_cache import current_stamp
from solhost.partners.models import Organisation
from solhost.qualification.models import QualificationRun
from solhost.web.tests.pages import assert_queries_do_not_grow
from solhost.web.tests.test_directory import add_chat_services

DIRECTORY = reverse("web:directory")
HOME = reverse("web:home")


def page(client, url: str, **query) -> str:
    return client.get(url, query).content.decode()


def test_a_partner_renaming_its_service_shows_in_the_directory_and_on_its_page(client, world):
    partner_page = reverse("web:partner", args=["mcc"])
    assert "MCC Files" in page(client, DIRECTORY)
    assert "MCC Files" in page(client, partner_page)
    actions.update_service(
        service=world.mcc_service, actor=world.alice, data={"name": "Merri Files"}
    )
    assert "Merri Files" in page(client, DIRECTORY)
    assert "Merri Files" in page(client, partner_page)
    assert "Merri Files" in page(client, DIRECTORY, q="merri")


def test_a_deleted_service_leaves_the_directory(client, world):
    assert "CCT Chat" in page(client, DIRECTORY)
    world.cct_service.delete()
    assert "CCT Chat" not in page(client, DIRECTORY)
    assert "?kind=chat" not in page(client, HOME)


def test_a_new_qualification_run_changes_the_badge_on_the_cards(client, world):
    assert "qual-badge-qualified" not in page(client, DIRECTORY)
    QualificationRun.objects.create(
        organisation=world.mcc,
        at=datetime.date(2026, 1, 1),
        trigger="test",
        criteria_version="1",
        parameters={},
        qualified=True,
    )
    assert "qual-badge-qualified" in page(client, DIRECTORY)


def test_a_new_energy_analysis_changes_the_power_on_the_cards(client, world):
    assert f"<dt>Power</dt><dd>{NOT_ANALYSED.short}</dd>" in page(client, DIRECTORY)
    with_telemetry(world.mcc_server, days=3)
    cards = page(client, DIRECTORY)
    assert "renewable so far, over 3 days measured</dd>" in cards
    assert "<dt>In a blackout</dt>" in cards


def test_a_renamed_partner_shows_on_the_cards_the_home_page_and_the_list(client, world):
    for url in (DIRECTORY, HOME, reverse("web:partners")):
        assert "Coburg Commons Tech" in page(client, url)
    actions.update_organisation(
        organisation=world.cct, actor=world.carol, data={"name": "Coburg Commons Co-op"}
    )
    for url in (DIRECTORY, HOME, reverse("web:partners")):
        assert "Coburg Commons Co-op" in page(client, url)


def test_a_new_partner_joins_the_list_and_the_filter(client, world):
    assert "Newlands Net" not in page(client, reverse("web:partners"))
    Organisation.objects.create(
        name="Newlands Net", slug="newlands", legal_form="cooperative", summary="New."
    )
    assert "Newlands Net" in page(client, reverse("web:partners"))
    assert '<option value="newlands">Newlands Net</option>' in page(client, DIRECTORY)


def test_a_moved_server_moves_on_the_home_map(client, world):
    before = page(client, HOME)
    actions.update_server(server=world.mcc_server, actor=world.alice, data={"latitude": -37.73})
    assert page(client, HOME) != before


def test_a_service_page_seen_before_costs_a_visitor_one_query(
    client, world, django_assert_num_queries
):
    url = reverse("web:service", args=["mcc-files"])
    client.get(url)
    # The listing stamp: the whole page was kept for visitors.
    with django_assert_num_queries(1):
        client.get(url)


def test_a_service_page_shows_a_change_to_its_servers_and_their_energy(client, world):
    url = reverse("web:service", args=["mcc-files"])
    assert "CCT one" not in page(client, url)
    world.mcc_service.servers.add(world.cct_server)
    assert "CCT one" in page(client, url)
    assert "over the 3 days measured so far" not in page(client, url)
    with_telemetry(world.mcc_server, days=3)
    assert "over the 3 days measured so far" in page(client, url)
    actions.update_service(
        service=world.mcc_service, actor=world.alice, data={"summary": "Files, at home."}
    )
    assert "Files, at home." in page(client, url)


def test_a_partner_page_seen_before_costs_a_visitor_one_query(
    client, world, django_assert_num_queries
):
    url = reverse("web:partner", args=["mcc"])
    client.get(url)
    # The listing stamp: the whole page was kept for visitors.
    with django_assert_num_queries(1):
        client.get(url)


def test_a_partner_page_shows_changes_to_its_servers_power_and_standing(client, world):
    url = reverse("web:partner", args=["mcc"])
    assert "kWp solar" not in page(client, url)
    with_telemetry(world.mcc_server, days=3)
    html = page(client, url)
    assert "kWp solar" in html
    assert "renewable so far, over 3 days measured" in html
    actions.update_server(server=world.mcc_server, actor=world.alice, data={"name": "Creek rack"})
    assert "Creek rack" in page(client, url)
    assert "qual-badge-qualified" not in page(client, url)
    QualificationRun.objects.create(
        organisation=world.mcc,
        at=datetime.date(2026, 1, 1),
        trigger="test",
        criteria_version="1",
        parameters={},
        qualified=True,
    )
    assert "qual-badge-qualified" in page(client, url)


def test_a_partner_page_costs_the_same_queries_with_more_services(client, world):
    # Its first visitor reads the cards of all of them at once.
    assert_queries_do_not_grow(
        client, reverse("web:partner", args=["cct"]), lambda: add_chat_services(world, 5)
    )


def test_the_directory_pages_links_lead_to_are_kept_whole_but_not_searches(client, world):
    day = timezone.localdate()
    client.get(DIRECTORY, {"kind": "chat"})
    client.get(DIRECTORY, {"q": "chat"})
    client.get(DIRECTORY, {"kind": "chat", "lores": "on"})
    stamp = current_stamp()
    assert caches["listing"].get(f"directory:{day}:kind=chat:1:{stamp}") is not None
    assert caches["listing"].get(f"directory:{day}:q=chat:1:{stamp}") is None
    assert caches["listing"].get(f"directory:{day}:kind=chat&lores=on:1:{stamp}") is None


def test_a_kept_page_never_carries_a_message_about_another_request(client, world):
    assert "not a page number" in page(client, DIRECTORY, kind="chat", page="x")
    assert "not a page number" not in page(client, DIRECTORY, kind="chat")
    assert "not a page number" in page(client, DIRECTORY, kind="chat", page="x")
