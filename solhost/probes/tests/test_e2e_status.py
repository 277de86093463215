"""The status page and a partner's checks in a real browser, without JavaScript.

One service answers and one fails; after a few rounds the public page lists both with an
incident, and Carol counts her checks over an outage on her own page. Each page is
photographed at 1280 and 375 pixels wide, and must not scroll sideways.
"""

import datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from playwright import sync_api

from solhost.probes.actions import probe_services
from solhost.test import PASSWORD

pytestmark = pytest.mark.e2e
expect = sync_api.expect


def test_the_status_page_and_a_partners_checks_in_a_browser(live_server, up_and_down, browser):
    shots = Path(django_settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    for minutes in (40, 35, 5, 0):
        probe_services(now=now - datetime.timedelta(minutes=minutes), due_only=False)
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()

    def shot(name: str) -> None:
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=shots / f"probes-{name}-{width}.png", full_page=True)
            overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
            assert not overflow, f"{name} scrolls sideways at {width} px"
        page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Service status").click()
    expect(page.get_by_role("heading", name="Service status", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Down now")).to_be_visible()
    expect(page.get_by_role("row", name="CCT Chat").first).to_contain_text("Still down")
    shot("status")

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("carol@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(live_server.url + "/manage/cct/")
    page.get_by_role("link", name="Service checks").click()
    expect(page.get_by_role("heading", name="Service checks", level=1)).to_be_visible()
    local = timezone.localtime(now)
    page.get_by_label("From").fill((local - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Until").fill(local.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Count the checks").click()
    expect(page.get_by_role("table", name="From")).to_contain_text("0 of 4 up")
    shot("partner")
    context.close()
