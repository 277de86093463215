"""The status page and a partner's checks in a real browser, without JavaScript.

One service answers and one fails; after a few rounds the public page lists both with an
incident, and Carol counts her checks over an outage on her own page. Each page is
photographed at 1280 and 375 pixels wide, and must not scroll sideways.
"""

import datetime

import pytest
from django.utils import timezone
from playwright import sync_api

from solhost.probes.actions import probe_services
from solhost.test import PASSWORD
from solhost.tests.photographs import photograph

pytestmark = pytest.mark.e2e
expect = sync_api.expect


def test_the_status_page_and_a_partners_checks_in_a_browser(live_server, up_and_down, browser):
    now = timezone.now()
    for minutes in (40, 35, 5, 0):
        probe_services(now=now - datetime.timedelta(minutes=minutes), due_only=False)
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Service status").click()
    expect(page.get_by_role("heading", name="Service status", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Down now")).to_be_visible()
    expect(page.get_by_role("row", name="CCT Chat").first).to_contain_text("Still down")
    photograph(page, "probes-status")

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
    photograph(page, "probes-partner")
    context.close()
