import datetime
import json
import re

from django.urls import reverse

from solhost.partners.models import Server
from solhost.test import BOUNDARY
from solhost.web.tests.pages import assert_clean_page, assert_queries_do_not_grow

REGION_MAP = reverse("web:region")


def map_data(html: str) -> dict:
    block = re.search(
        r'<script id="region-map-data" type="application/json">(.*?)</script>', html, re.S
    )
    return json.loads(block.group(1))


def table_rows(html: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    cells = re.compile(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", re.S)
    return [
        [re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in cells.findall(row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_embeds_the_boundary_and_servers_as_geojson(client, world):
    data = map_data(client.get(REGION_MAP).content.decode())
    (feature,) = data["boundary"]["features"]
    assert data["boundary"]["type"] == "FeatureCollection"
    assert feature["geometry"]["type"] == "Polygon"
    assert feature["geometry"]["coordinates"] == BOUNDARY["coordinates"]
    points = {
        f["properties"]["slug"]: f["geometry"]["coordinates"] for f in data["servers"]["features"]
    }
    assert points == {"mcc-1": [144.975, -37.767], "cct-1": [144.963, -37.742]}
    assert data["roles"]["primary"] == "Primary (serves residents)"


def test_a_boundary_stored_as_a_feature_is_embedded_as_a_collection(client, world):
    world.region.boundary = {"type": "Feature", "properties": {}, "geometry": BOUNDARY}
    world.region.save()
    data = map_data(client.get(REGION_MAP).content.decode())
    assert data["boundary"]["features"][0]["geometry"]["coordinates"] == BOUNDARY["coordinates"]


def test_the_table_lists_every_server(client, world):
    Server.objects.create(
        organisation=world.cct,
        slug="cct-dns",
        name="CCT DNS",
        role="dns",
        locality="Ballarat",
        latitude=-37.5622,
        longitude=143.8503,
        hosting_company="A data centre",
        operation_started=datetime.date(2025, 1, 1),
    )
    rows = table_rows(client.get(REGION_MAP).content.decode())
    primary = "Primary (serves residents)"
    assert rows == [
        ["CCT DNS", "Coburg Commons Tech", "DNS", "Ballarat", "-37.56220", "143.85030"],
        ["CCT one", "Coburg Commons Tech", primary, "—", "-37.74200", "144.96300"],
        ["MCC one", "Merri Creek Computing", primary, "—", "-37.76700", "144.97500"],
    ]


def test_partners_link_to_their_pages_and_the_steward_is_not_linked(client, world):
    Server.objects.create(
        organisation=world.steward,
        slug="steward-1",
        name="Steward one",
        latitude=-37.75,
        longitude=144.96,
        hosting_company="self-hosted",
        operation_started=datetime.date(2025, 1, 1),
    )
    html = client.get(REGION_MAP).content.decode()
    assert 'href="/partners/mcc/"' in html
    assert "Test Steward" in html
    assert 'href="/partners/steward/"' not in html


def test_the_chart_has_an_accessible_name_and_its_scripts(client, world):
    html = client.get(REGION_MAP).content.decode()
    chart = re.search(r'<div id="region-map"[^>]*>', html).group(0)
    assert 'role="img"' in chart
    assert re.search(r'aria-label="Map of Test Region with 2 servers', chart)
    assert '<script src="/static/vendor/echarts/echarts.min.js"></script>' in html
    assert '<script src="/static/js/region-map.js"></script>' in html


def test_no_region_is_404(client, world):
    world.region.delete()
    assert client.get(REGION_MAP).status_code == 404


def test_region_map_page_is_clean(client, world):
    assert_clean_page(client.get(REGION_MAP))


def test_more_servers_cost_no_more_queries(client, world):
    def add_more():
        for i in range(3):
            Server.objects.create(
                organisation=world.cct,
                slug=f"cct-more-{i}",
                name=f"More {i}",
                latitude=-37.75,
                longitude=144.96,
                hosting_company="self-hosted",
                operation_started=datetime.date(2025, 1, 1),
            )

    assert_queries_do_not_grow(client, REGION_MAP, add_more)
