import datetime
import json
import re

from django.urls import reverse
from shapely.geometry import shape

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
    dns = "DNS: may be anywhere; 98 km from the region"
    inside = "Inside the region"
    assert rows == [
        ["CCT DNS", dns, "Coburg Commons Tech", "DNS", "Ballarat", "-37.56220", "143.85030"],
        ["CCT one", inside, "Coburg Commons Tech", primary, "—", "-37.74200", "144.96300"],
        ["MCC one", inside, "Merri Creek Computing", primary, "—", "-37.76700", "144.97500"],
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
    assert re.search(
        r'aria-label="Map of Test Region: its boundary, the 1 km allowance around it, and 2 '
        r"servers with their names",
        chart,
    )
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


def add_server(world, slug, *, role="primary", latitude=-37.75, longitude=144.96, locality=""):
    return Server.objects.create(
        organisation=world.cct,
        slug=slug,
        name=slug.replace("-", " ").title(),
        role=role,
        latitude=latitude,
        longitude=longitude,
        locality=locality,
        hosting_company="self-hosted",
        operation_started=datetime.date(2025, 1, 1),
    )


def standing(html: str) -> dict[str, str]:
    dl = re.search(r'<dl class="facts map-standing">(.*?)</dl>', html, re.S).group(1)
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", dl, re.S)
    return {term: " ".join(re.sub(r"<[^>]+>", " ", value).split()) for term, value in pairs}


def test_says_in_words_which_servers_stand_in_the_allowance_and_which_may_be_anywhere(
    client, world
):
    # The boundary's east edge is 144.99; 0.004° of longitude there is about 350 m.
    add_server(world, "across-the-creek", longitude=144.994)
    add_server(world, "far-east", longitude=145.02)
    add_server(
        world,
        "dns-ballarat",
        role="dns",
        latitude=-37.5622,
        longitude=143.8503,
        locality="Ballarat",
    )
    html = client.get(REGION_MAP).content.decode()
    found = standing(html)
    assert found["Inside the region"] == "CCT one, MCC one"
    assert found["In the 1 km allowance"] == "Across The Creek (352 m outside the boundary)"
    assert found["Beyond the allowance"] == "Far East (2.6 km outside the boundary)"
    assert found["Backups and DNS, allowed anywhere"] == (
        "Dns Ballarat (DNS, Ballarat, 98 km away) Not drawn on the map, which shows the region."
    )
    rows = {row[0]: row[1] for row in table_rows(html)}
    assert rows["Across The Creek"] == "352 m outside the boundary, within the 1 km allowance"
    assert rows["MCC one"] == "Inside the region"
    assert rows["Dns Ballarat"] == "DNS: may be anywhere; 98 km from the region"


def test_the_map_draws_the_allowance_and_only_the_servers_it_can_show(client, world):
    add_server(world, "across-the-creek", longitude=144.994)
    add_server(world, "dns-ballarat", role="dns", latitude=-37.5622, longitude=143.8503)
    data = map_data(client.get(REGION_MAP).content.decode())
    assert data["allowance"]["properties"]["name"] == "The 1 km allowance"
    west, south, east, north = shape(data["allowance"]["geometry"]).bounds
    # About 1 km beyond the boundary's edges (144.94–144.99, -37.78 – -37.72) on every side.
    assert 144.988 < east - 0.011 < 144.992 and 144.938 < west + 0.011 < 144.942
    assert -37.7215 < north - 0.009 < -37.7185 and -37.7815 < south + 0.009 < -37.7785
    drawn = {
        f["properties"]["slug"]: f["properties"]["standing"] for f in data["servers"]["features"]
    }
    assert drawn == {
        "cct-1": "Inside the region",
        "mcc-1": "Inside the region",
        "across-the-creek": "352 m outside the boundary, within the 1 km allowance",
    }


def test_the_allowance_follows_its_parameter(client, world):
    from solhost.core.models import Parameter

    Parameter.objects.get(key="local_max_distance_m").values.create(
        value=200, effective_from=datetime.date(2026, 1, 1), source="test decision"
    )
    add_server(world, "across-the-creek", longitude=144.994)
    found = standing(client.get(REGION_MAP).content.decode())
    assert found["In the 200 m allowance"] == "None"
    assert found["Beyond the allowance"] == "Across The Creek (352 m outside the boundary)"
