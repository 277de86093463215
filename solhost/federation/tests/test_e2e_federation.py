"""A reader finds the feeds from a public page's footer in a real browser without
JavaScript, follows them, and the service page shows the LoRes sync's evidence; each page
is photographed at 1280 and 375 pixels wide, with no sideways scrolling."""

import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright import sync_api

from solhost.lores.tests.evidence import put_on_lores

pytestmark = pytest.mark.e2e
expect = sync_api.expect


def test_a_reader_finds_the_feeds_from_the_footer(live_server, world, browser):
    shots = Path(django_settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    put_on_lores(world.mcc_service, app_name="nextcloud", app_version="31.0.2")
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()

    def shot(name: str) -> None:
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=shots / f"federation-{name}-{width}.png", full_page=True)
            overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
            assert not overflow, f"{name} scrolls sideways at {width} px"
        page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(live_server.url + "/services/")
    page.get_by_role("link", name="For other networks").click()
    expect(page.get_by_role("heading", name="For other networks", level=1)).to_be_visible()
    shot("index")

    answer = page.request.get(live_server.url + "/api/v1/directory.json")
    assert answer.ok
    services = {s["slug"]: s for s in json.loads(answer.body())["services"]}
    assert services["mcc-files"]["lores"]["app"] == "nextcloud"
    link = page.get_by_role("link", name="chatonsinfos.properties of Merri Creek Computing")
    properties = page.request.get(live_server.url + link.get_attribute("href"))
    assert "organization.name = Merri Creek Computing" in properties.text()

    page.goto(live_server.url + "/services/mcc-files/")
    expect(
        page.get_by_text("Found by the region's LoRes sync: the app nextcloud 31.0.2")
    ).to_be_visible()
    shot("service")
    context.close()
