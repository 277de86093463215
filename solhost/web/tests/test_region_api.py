from solhost.test import BOUNDARY

REGION = "/api/v1/region"


def test_region_gives_its_boundary_and_servers(client, world):
    response = client.get(REGION)
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Test Region"
    assert body["slug"] == "merri-bek"
    assert body["domain"] == "test.example.org"
    assert body["boundary"] == BOUNDARY
    assert body["servers"]["type"] == "FeatureCollection"
    features = {f["properties"]["slug"]: f for f in body["servers"]["features"]}
    assert set(features) == {"mcc-1", "cct-1"}
    assert features["mcc-1"]["geometry"] == {"type": "Point", "coordinates": [144.975, -37.767]}
    assert features["mcc-1"]["properties"] == {
        "slug": "mcc-1",
        "name": "MCC one",
        "partner": "Merri Creek Computing",
        "partner_slug": "mcc",
        "role": "primary",
        "locality": "",
    }


def test_region_is_404_before_one_is_loaded(client, world):
    world.region.delete()
    assert client.get(REGION).status_code == 404


def test_region_is_in_the_openapi_document(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/region" in paths
