import re

import pytest


@pytest.mark.django_db
def test_api_docs_load_their_assets_from_this_site(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assets = re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="([^"]+)"', response.content.decode())
    assert assets and all(url.startswith("/static/") for url in assets), assets


@pytest.mark.django_db
def test_openapi_description_lists_the_directory(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/region", "/api/v1/partners", "/api/v1/services"} <= set(spec["paths"])
