import re

import pytest
from django.urls import reverse

from solhost.lores.tests.evidence import put_on_lores
from solhost.partners.models import Service, ServiceKind
from solhost.web.tests.pages import assert_clean_page, assert_queries_do_not_grow
from solhost.web.views import DIRECTORY_PAGE_SIZE

DIRECTORY = reverse("web:directory")


def service_slugs(response) -> set[str]:
    html = response.content.decode()
    return set(re.findall(r'<h3><a href="/services/([^/"]+)/">', html))


def status_text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.search(r'role="status">(.*?)</p>', html, re.S).group(1))


def test_without_filters_lists_every_service_and_counts_them(client, world):
    response = client.get(DIRECTORY)
    assert service_slugs(response) == {"mcc-files", "cct-chat"}
    assert status_text(response) == "2 services in the region"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "nextcloud"}, {"mcc-files"}),
        ({"q": "Coburg"}, {"cct-chat"}),
        ({"q": "calendars sync"}, {"mcc-files"}),
        ({"kind": "chat"}, {"cct-chat"}),
        ({"software": "Nextcloud"}, {"mcc-files"}),
        ({"partner": "cct"}, {"cct-chat"}),
        ({"lores": "on"}, {"mcc-files"}),
        ({"kind": "files", "partner": "mcc", "lores": "on"}, {"mcc-files"}),
        ({"kind": "files", "partner": "cct"}, set()),
        ({"q": "matrix", "lores": "on"}, set()),
    ],
)
def test_each_filter_narrows_the_results(client, world, query, expected):
    put_on_lores(world.mcc_service, app_name="nextcloud")
    assert service_slugs(client.get(DIRECTORY, query)) == expected


def test_filtered_count_is_announced(client, world):
    response = client.get(DIRECTORY, {"kind": "chat"})
    assert status_text(response) == "1 service matches your filters"


def test_no_match_says_so(client, world):
    response = client.get(DIRECTORY, {"kind": "files", "partner": "cct"})
    assert status_text(response) == "0 services match your filters"
    assert "Nothing matches all of these filters" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"kind": "nonexistent"}, "There is no kind of service called “nonexistent”."),
        ({"software": "Exchange"}, "No service in the region runs “Exchange”."),
        ({"partner": "nobody"}, "There is no partner called “nobody”."),
        ({"partner": "steward"}, "There is no partner called “steward”."),
        ({"lores": "banana"}, "“banana” is not a yes or no for the LoRes mesh filter."),
    ],
)
def test_unknown_filter_values_are_ignored_with_a_message(client, world, query, message):
    response = client.get(DIRECTORY, query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert service_slugs(response) == {"mcc-files", "cct-chat"}


def test_a_bad_filter_does_not_drop_the_good_ones(client, world):
    response = client.get(DIRECTORY, {"kind": "nonexistent", "partner": "cct"})
    assert service_slugs(response) == {"cct-chat"}
    assert "nonexistent" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"kind": "nonexistent"}, "There is no kind of service called “nonexistent”."),
        ({"q": "x" * 201}, "at most 200 characters"),
    ],
)
def test_a_bad_filter_beside_one_that_finds_nothing_is_still_named(client, world, query, message):
    # The LoRes filter finds nothing in this world; the bad one is dropped and said.
    response = client.get(DIRECTORY, {**query, "lores": "on"})
    assert response.status_code == 200
    assert status_text(response) == "0 services match your filters"
    assert message in response.content.decode()


def test_bad_values_are_not_shown_as_applied(client, world):
    html = client.get(DIRECTORY, {"lores": "banana"}).content.decode()
    checkbox = re.search(r'<input type="checkbox"[^>]*>', html).group(0)
    assert "checked" not in checkbox


def test_a_null_character_in_the_search_is_refused_not_a_crash(client, world):
    # Refused before the page runs, with a page that names the parameter (issue 12).
    response = client.get(DIRECTORY, {"q": "file\x00s"})
    assert response.status_code == 400
    assert "<li>query parameter &#x27;q&#x27;: contains a NUL" in response.content.decode()


def test_the_form_shows_the_filters_in_force(client, world):
    html = client.get(DIRECTORY, {"q": "chat", "kind": "chat", "lores": "on"}).content.decode()
    assert 'value="chat"' in re.search(r'<input type="text"[^>]*>', html).group(0)
    assert re.search(r'<option value="chat" selected>', html)
    assert "checked" in re.search(r'<input type="checkbox"[^>]*>', html).group(0)


def test_the_form_works_without_javascript_and_every_control_has_a_label(client, world):
    html = client.get(DIRECTORY).content.decode()
    form = re.search(r"<form\b[^>]*>.*?</form>", html, re.S).group(0)
    assert 'method="get"' in form
    assert f'action="{DIRECTORY}"' in form
    assert '<button type="submit">' in form
    controls = re.findall(r"<(?:input|select)\b[^>]*\bid=\"([^\"]+)\"", form)
    assert sorted(controls) == ["id_kind", "id_lores", "id_partner", "id_q", "id_software"]
    for control in controls:
        assert f'<label for="{control}">' in form
    assert "What do you need?" in form
    assert "Available on the LoRes mesh" in form


def test_partner_choices_leave_out_the_steward(client, world):
    html = client.get(DIRECTORY).content.decode()
    assert '<option value="mcc">' in html
    assert '<option value="steward">' not in html


def test_result_cards_show_the_facts(client, world):
    put_on_lores(world.mcc_service, app_name="nextcloud")
    html = client.get(DIRECTORY).content.decode()
    for text in (
        "MCC Files",
        "File sync and calendars.",
        "Files and calendars",
        "Nextcloud",
        "AGPL-3.0-or-later",
        'href="/partners/mcc/"',
        "Anyone in the region",
        "On the LoRes mesh",
    ):
        assert text in html
    assert html.count("On the LoRes mesh</span>") == 1


def test_a_full_services_card_says_so_even_after_the_page_was_cached(client, world):
    assert b"Not taking new residents" not in client.get(DIRECTORY).content
    world.cct_service.accepts_new_residents = False
    world.cct_service.save()
    cards = client.get(DIRECTORY).content.decode().split('<li class="card service-card">')[1:]
    full = [card for card in cards if "Not taking new residents" in card]
    assert len(full) == 1 and "/services/cct-chat/" in full[0]


def test_directory_page_is_clean(client, world):
    assert_clean_page(client.get(DIRECTORY, {"kind": "nonexistent"}))


def add_chat_services(world, count: int) -> None:
    for i in range(count):
        Service.objects.create(
            organisation=world.cct,
            slug=f"more-{i:02d}",
            name=f"More {i:02d}",
            kind=world.chat,
            summary="More chat.",
            software="Synapse",
            licence="AGPL-3.0-or-later",
            source_url="https://example.org/src",
            url="https://example.org",
        )


def test_more_services_cost_no_more_queries(client, world):
    # Enough for a second page: the first still costs the same.
    assert_queries_do_not_grow(client, DIRECTORY, lambda: add_chat_services(world, 30))


def test_a_page_seen_before_costs_a_visitor_one_query(client, world, django_assert_num_queries):
    client.get(DIRECTORY, {"kind": "chat"})
    # The listing stamp: the whole page was kept for visitors.
    with django_assert_num_queries(1):
        client.get(DIRECTORY, {"kind": "chat"})


def test_a_search_costs_two_queries_once_its_cards_are_cached(
    client, world, django_assert_num_queries
):
    client.get(DIRECTORY, {"q": "chat"})
    with django_assert_num_queries(2):
        client.get(DIRECTORY, {"q": "chat"})


def nav(response) -> str:
    html = response.content.decode()
    return re.search(r'<nav class="pagination".*?</nav>', html, re.S).group(0)


def test_results_come_a_page_at_a_time(client, world):
    add_chat_services(world, DIRECTORY_PAGE_SIZE)  # 26 services in all
    first = client.get(DIRECTORY)
    assert len(service_slugs(first)) == DIRECTORY_PAGE_SIZE
    assert status_text(first) == "26 services in the region, page 1 of 2"
    second = client.get(DIRECTORY, {"page": "2"})
    assert len(service_slugs(second)) == 2
    assert service_slugs(first).isdisjoint(service_slugs(second))
    assert "Services, page 2 ·" in second.content.decode()


def test_the_page_links_are_an_accessible_nav_that_keeps_the_filters(client, world):
    add_chat_services(world, DIRECTORY_PAGE_SIZE + 1)
    links = nav(client.get(DIRECTORY, {"kind": "chat", "q": "more", "page": "2"}))
    assert 'aria-label="Pages of results"' in links
    assert 'href="?q=more&amp;kind=chat&amp;page=1" rel="prev"' in links
    assert (
        '<a href="?q=more&amp;kind=chat&amp;page=2" aria-current="page">'
        '<span class="visually-hidden">Page </span>2</a>'
    ) in links
    assert 'rel="next"' not in links


def test_page_links_leave_out_a_filter_that_was_refused(client, world):
    add_chat_services(world, DIRECTORY_PAGE_SIZE)
    links = nav(client.get(DIRECTORY, {"software": "Exchange", "lores": ""}))
    assert 'href="?page=2" rel="next"' in links


def test_one_page_of_results_has_no_page_links(client, world):
    assert 'class="pagination"' not in client.get(DIRECTORY).content.decode()


@pytest.mark.parametrize(
    ("page", "message", "shown"),
    [
        ("abc", "“abc” is not a page number, so this is the first page.", 1),
        ("0", "There is no page 0: the results fill 2 pages, so this is the first page.", 1),
        ("7", "There is no page 7: the results fill 2 pages, so this is the last page.", 2),
        ("2.5", "“2.5” is not a page number, so this is the first page.", 1),
    ],
)
def test_a_page_that_does_not_exist_is_said_and_the_nearest_shown(
    client, world, page, message, shown
):
    add_chat_services(world, DIRECTORY_PAGE_SIZE)
    response = client.get(DIRECTORY, {"page": page})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert status_text(response) == f"26 services in the region, page {shown} of 2"


def test_with_no_results_any_page_number_says_there_is_one_page(client, world):
    response = client.get(DIRECTORY, {"q": "nothing-like-this", "page": "3"})
    assert response.status_code == 200
    assert "the results fill 1 page, so this is the last page." in response.content.decode()


def no_results(response) -> str:
    html = response.content.decode()
    return re.sub(
        r"\s+", " ", re.search(r'<div class="no-results">(.*?)</div>', html, re.S).group(1)
    )


def test_a_search_for_a_kind_nobody_offers_says_so(client, world):
    ServiceKind.objects.create(slug="email", name="Email", search_words="mail, gmail, outlook")
    text = no_results(client.get(DIRECTORY, {"q": "gmail"}))
    assert "Nothing in the region matches “gmail”." in text
    assert "No co-op in the region offers <strong>Email</strong> yet." in text
    assert "What the region offers:" in text
    assert '<a href="?kind=files">Files and calendars</a>' in text


def test_choosing_a_kind_nobody_offers_says_so(client, world):
    ServiceKind.objects.create(slug="email", name="Email")
    text = no_results(client.get(DIRECTORY, {"kind": "email"}))
    assert "No co-op in the region offers <strong>Email</strong> yet." in text


def test_a_search_that_names_no_kind_lists_what_the_region_offers(client, world):
    text = no_results(client.get(DIRECTORY, {"q": "dating"}))
    assert "None of the region's kinds of service goes by these words" in text
    assert '<a href="?kind=chat">Chat</a>' in text
    assert '<a href="?kind=files">Files and calendars</a>' in text


def test_a_search_narrowed_to_nothing_suggests_the_kind_it_names(client, world):
    world.files.search_words = "storage, dropbox"
    world.files.save()
    text = no_results(client.get(DIRECTORY, {"q": "dropbox", "partner": "cct"}))
    assert "Nothing in the region matches “dropbox” with these filters." in text
    assert (
        '<a href="?kind=files">Files and calendars</a> <span class="meta">1 service</span>' in text
    )


def test_the_filters_beside_search_fold_away_without_javascript(client, world):
    html = client.get(DIRECTORY, {"kind": "chat", "lores": "on"}).content.decode()
    folded = re.search(r'<details class="more-filters">(.*?)</details>', html, re.S).group(1)
    assert '<summary>More filters <span class="meta">(2 in use)</span></summary>' in folded
    for name in ("kind", "software", "partner", "lores"):
        assert f'name="{name}"' in folded
    # The search box stays outside, above the results.
    assert 'name="q"' not in folded
