import re

from django.urls import reverse

from solhost.web.tests.pages import assert_clean_page, assert_queries_do_not_grow
from solhost.web.tests.test_home import add_partner

PARTNERS = reverse("web:partners")


def test_lists_every_partner_by_name_with_its_services_but_not_the_steward(client, world):
    html = client.get(PARTNERS).content.decode()
    assert re.findall(r'<h3><a href="/partners/([^/"]+)/">', html) == ["cct", "mcc"]
    assert "A worker co-op in Coburg." in html
    assert "1 service" in html
    assert "Test Steward" not in html
    assert "2 local co-operatives run the region's services" in html


def test_partner_list_is_clean(client, world):
    assert_clean_page(client.get(PARTNERS))


def test_more_partners_cost_no_more_queries(client, world):
    assert_queries_do_not_grow(
        client, PARTNERS, lambda: [add_partner(s, world.files) for s in ("p1", "p2", "p3")]
    )


def test_a_list_seen_before_costs_a_visitor_one_query(client, world, django_assert_num_queries):
    client.get(PARTNERS)
    # The listing stamp: the whole page was kept for visitors.
    with django_assert_num_queries(1):
        client.get(PARTNERS)
