import re

import pytest
from django.urls import reverse

from solhost.partners.models import Service
from solhost.web.tests.pages import assert_clean_page, assert_queries_do_not_grow

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


def test_directory_page_is_clean(client, world):
    assert_clean_page(client.get(DIRECTORY, {"kind": "nonexistent"}))


def test_more_services_cost_no_more_queries(client, world):
    def add_more():
        for i in range(3):
            Service.objects.create(
                organisation=world.cct,
                slug=f"more-{i}",
                name=f"More {i}",
                kind=world.chat,
                summary="More chat.",
                software="Synapse",
                licence="AGPL-3.0-or-later",
                source_url="https://example.org/src",
                url="https://example.org",
            )

    assert_queries_do_not_grow(client, DIRECTORY, add_more)
