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


@pytest.mark.django_db
def test_api_docs_have_a_language_a_heading_and_a_way_to_read_them_without_javascript(client):
    html = client.get("/api/v1/docs").content.decode()
    assert '<html lang="en">' in html
    assert re.search(r"<main>.*<h1>solhost API reference</h1>.*</main>", html, re.S)
    noscript = re.search(r"<noscript>(.*?)</noscript>", html, re.S).group(1)
    assert 'href="/api/v1/openapi.json"' in noscript
