"""The steward's admin refuses, in words in the page, the deletions that would break the
region: a parameter value that has been in force, the region this installation serves, and
an account (which its resident closes, so that they and the services are told).
Each page is photographed at 1280 and 375 pixels wide.
"""

import datetime
import re

import pytest
from playwright import sync_api

from solhost.core.models import Parameter
from solhost.test import PASSWORD
from solhost.tests.photographs import photograph

pytestmark = pytest.mark.e2e
expect = sync_api.expect


def test_the_steward_is_told_why_a_value_in_force_the_served_region_and_accounts_stay(
    live_server, world, browser
):
    parameter = Parameter.objects.get(key="outage_hours")
    parameter.values.create(effective_from=datetime.date(2099, 1, 1), value=96, source="D12")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    page.goto(f"{live_server.url}/admin/core/parameter/{parameter.pk}/change/")
    page.locator("input[name='values-0-DELETE']").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(re.compile("has been in force, so it stays"))).to_be_visible()
    photograph(page, "admin-parameter-value-in-force")
    assert parameter.values.count() == 2

    change = f"{live_server.url}/admin/region/region/{world.region.pk}/change/"
    page.goto(f"{live_server.url}/admin/region/region/{world.region.pk}/delete/")
    assert page.url == change
    # Said twice: in the message for the refused deletion, and on the page itself.
    expect(page.get_by_text(re.compile("so it can't be deleted"))).to_have_count(2)
    expect(page.get_by_role("link", name="Delete")).to_have_count(0)
    expect(page.get_by_role("textbox", name="Slug")).to_have_count(0)
    photograph(page, "admin-served-region")

    account = f"{live_server.url}/admin/identity/user/{world.rita.pk}/change/"
    page.goto(f"{live_server.url}/admin/identity/user/{world.rita.pk}/delete/")
    assert page.url == account
    expect(page.get_by_text(re.compile("closes their account on their Delete"))).to_have_count(2)
    expect(page.get_by_role("link", name="Delete")).to_have_count(0)
    photograph(page, "admin-account-not-deleted")
    context.close()
