"""The map in a real browser: it draws, names its servers and explains its dashed band."""

import pytest
from playwright import sync_api

from solhost.test import make_world

pytestmark = pytest.mark.e2e


# The parameters come from data migrations, which a transactional test's flush removes.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("width", [1280, 375])
def test_the_map_draws_without_errors_and_says_what_its_band_is(live_server, browser, width):
    make_world()
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{live_server.url}/region/")
    sync_api.expect(page.locator("#region-map canvas")).to_have_count(1)
    sync_api.expect(page.locator("#region-map-hint")).to_contain_text(
        "Dashed band: the 1 km allowance around it"
    )
    assert problems == []
    context.close()
