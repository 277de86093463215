"""The steward links a LoRes node in a real browser, and the server's page shows it.

Sam syncs the region from a stand-in node, finds cct-node waiting, links it to CCT one with
the plain form (no JavaScript needed), dismisses a neighbour's node, and the server's page
flags the node's pin as far from the server. Each page is photographed at 1280 and 375
pixels wide.
"""

import re

import pytest
from playwright import sync_api

from solhost.lores.actions import sync_from_node
from solhost.lores.models import LoresNode
from solhost.lores.tests import standin
from solhost.test import PASSWORD
from solhost.tests.photographs import photograph

pytestmark = pytest.mark.e2e
expect = sync_api.expect


@pytest.fixture
def node_server():
    state, server = standin.start()
    yield state
    server.shutdown()
    server.server_close()


def test_the_steward_links_a_node_and_the_server_page_shows_it(
    live_server, world, browser, node_server
):
    sync_from_node(url=node_server.url)
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(live_server.url + "/steward/lores/")
    expect(page.get_by_role("heading", name="cct-node")).to_be_visible()
    photograph(page, "lores-steward")

    page.get_by_label("Server this node is").nth(0).select_option(
        label="CCT one (Coburg Commons Tech)"
    )
    page.get_by_role("button", name=re.compile("^Link cct-node")).click()
    expect(page.get_by_text("cct-node is linked to CCT one.")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"\(garage-pi\)")).click()
    expect(
        page.get_by_text("garage-pi is marked as not one of the region's servers.")
    ).to_be_visible()
    photograph(page, "lores-steward-after")
    assert LoresNode.objects.get(name="cct-node").server == world.cct_server

    page.goto(live_server.url + "/servers/cct-1/energy/")
    expect(page.get_by_text("Check the location:")).to_be_visible()
    photograph(page, "lores-server")
    context.close()
