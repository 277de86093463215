import datetime
import re

from django.urls import reverse

from solhost.partners.models import Organisation, Server, Service
from solhost.web.tests.pages import assert_clean_page, assert_queries_do_not_grow
from solhost.web.views import HOME_PARTNERS

HOME = reverse("web:home")


def add_partner(slug: str, kind) -> None:
    org = Organisation.objects.create(
        name=f"Partner {slug}", slug=slug, legal_form="cooperative", summary="Another co-op."
    )
    server = Server.objects.create(
        organisation=org,
        slug=f"{slug}-1",
        name=f"{slug} one",
        latitude=-37.75,
        longitude=144.96,
        hosting_company="self-hosted",
        operation_started=datetime.date(2025, 1, 1),
    )
    service = Service.objects.create(
        organisation=org,
        slug=f"{slug}-svc",
        name=f"{slug} service",
        kind=kind,
        summary="More.",
        software="Forgejo",
        licence="GPL-3.0-or-later",
        source_url="https://example.org/src",
        url="https://example.org",
    )
    service.servers.add(server)


def test_explains_the_region_in_plain_words(client, world):
    html = client.get(HOME).content.decode()
    for words in (
        "free software",
        "local co-operative",
        "renewable",
        "Pay what you can",
        "solidarity fund",
        "land-back",
        "co-ops whose services you use",
        "Leave with your data",
    ):
        assert words in html


def test_lists_partners_with_links_but_not_the_steward(client, world):
    html = client.get(HOME).content.decode()
    assert f'href="{reverse("web:partner", args=["mcc"])}"' in html
    assert f'href="{reverse("web:partner", args=["cct"])}"' in html
    assert world.mcc.summary in html
    assert "Test Steward" not in html


def test_service_kinds_link_to_the_filtered_directory(client, world):
    html = client.get(HOME).content.decode()
    assert f'href="{reverse("web:directory")}?kind=files"' in html
    assert f'href="{reverse("web:directory")}?kind=chat"' in html


def test_kinds_without_services_are_not_offered(client, world):
    world.cct_service.delete()
    html = client.get(HOME).content.decode()
    assert "?kind=chat" not in html


def test_small_map_is_inline_svg_with_a_title_and_a_link_to_the_map_page(client, world):
    html = client.get(HOME).content.decode()
    svg = re.search(r"<svg\b.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg
    assert "<title" in svg
    assert "<desc" in svg
    assert len(re.findall(r'<circle class="server"', svg)) == 2
    assert f'href="{reverse("web:region")}"' in html


def test_small_map_leaves_out_far_away_backup_servers_but_says_so(client, world):
    Server.objects.create(
        organisation=world.mcc,
        slug="backup",
        name="Far backup",
        role="offsite_backup",
        latitude=-33.87,
        longitude=151.21,
        hosting_company="A data centre",
        operation_started=datetime.date(2025, 1, 1),
    )
    html = client.get(HOME).content.decode()
    assert html.count('<circle class="server"') == 2
    assert "1 more" in html


def test_home_page_loads_no_chart_library(client, world):
    html = client.get(HOME).content.decode()
    assert "<script" not in html
    assert "echarts" not in html


def test_home_page_works_before_a_region_is_loaded(client, world):
    world.region.delete()
    response = client.get(HOME)
    assert response.status_code == 200
    assert "<svg" not in response.content.decode()


def test_home_page_is_clean(client, world):
    assert_clean_page(client.get(HOME))


def test_more_partners_cost_no_more_queries(client, world):
    assert_queries_do_not_grow(
        client, HOME, lambda: [add_partner(s, world.files) for s in ("p1", "p2", "p3")]
    )


def test_home_invites_co_ops_to_apply(client, world):
    page = client.get("/").content.decode()
    assert 'href="/apply/"' in page and "Apply to become a partner" in page


def partner_links(html: str) -> set[str]:
    section = re.search(r'<section aria-labelledby="partners-heading">.*?</section>', html, re.S)
    return set(re.findall(r'<h3><a href="/partners/([^/"]+)/">', section.group(0)))


def test_a_small_region_shows_every_partner_and_no_link_to_more(client, world):
    html = client.get(HOME).content.decode()
    assert partner_links(html) == {"mcc", "cct"}
    assert f'href="{reverse("web:partners")}"' not in html


def test_a_large_region_shows_a_few_partners_and_links_to_all(client, world):
    for i in range(10):
        add_partner(f"p{i}", world.files)
    html = client.get(HOME).content.decode()
    assert len(partner_links(html)) == HOME_PARTNERS
    assert f"{HOME_PARTNERS} of the region's 12 co-ops, a different few each day." in html
    assert f'<a href="{reverse("web:partners")}">All 12 co-ops</a>' in html


def test_every_partner_takes_its_turn_on_the_home_page(client, world, monkeypatch):
    for i in range(10):
        add_partner(f"p{i}", world.files)
    seen, days = set(), []
    for offset in range(20):
        day = datetime.date(2026, 3, 1) + datetime.timedelta(days=offset)
        monkeypatch.setattr("django.utils.timezone.localdate", lambda day=day: day)
        shown = partner_links(client.get(HOME).content.decode())
        # The same few all day long.
        assert partner_links(client.get(HOME).content.decode()) == shown
        seen |= shown
        days.append(frozenset(shown))
    assert seen == set(Organisation.objects.filter(kind="partner").values_list("slug", flat=True))
    assert len(set(days)) > 1


def test_a_home_page_seen_before_costs_a_visitor_one_query(
    client, world, django_assert_num_queries
):
    client.get(HOME)
    # The listing stamp: the whole page was kept for visitors.
    with django_assert_num_queries(1):
        client.get(HOME)
