"""The energy pages in a real browser: the charts draw, nothing fails, and they read well
on a desktop and on a phone. Screenshots go to var/screenshots/energy/."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright import sync_api

from solhost.energy.models import EnergyAnalysis
from solhost.energy.tests.helpers import with_telemetry
from solhost.test import make_world
from solhost.tests.photographs import signed_in_context

pytestmark = pytest.mark.e2e


def _open(context, url: str, problems: list[str]):
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and problems.append(f"{url}: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"{url}: {e}"))
    page.goto(url)
    return page


# The parameters come from data migrations, which a transactional test's flush removes.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(("width", "name"), [(1280, "desktop"), (375, "phone")])
def test_energy_pages_draw_their_charts(live_server, browser, width, name):
    world = make_world()
    with_telemetry(world.mcc_server, days=42)
    # The region's chart compares shares judged over a year; six weeks stand in for one.
    EnergyAnalysis.objects.update(s2_2_status="met", coverage_bp=10_000, days_measured=365)
    shots = Path(django_settings.VAR_DIR) / "screenshots" / "energy"
    shots.mkdir(parents=True, exist_ok=True)
    _, context = signed_in_context(
        browser, live_server.url, world.alice, viewport={"width": width, "height": 900}
    )
    problems: list[str] = []

    page = _open(context, f"{live_server.url}/servers/mcc-1/energy/", problems)
    for chart in ("mix-chart", "monthly-chart", "outage-chart"):
        sync_api.expect(page.locator(f"#{chart} canvas")).to_have_count(1)
    page.screenshot(path=shots / f"server-{name}.png", full_page=True)

    page = _open(context, f"{live_server.url}/energy/", problems)
    sync_api.expect(page.locator("#region-chart canvas")).to_have_count(1)
    page.screenshot(path=shots / f"region-{name}.png", full_page=True)

    page = _open(context, f"{live_server.url}/manage/mcc/servers/mcc-1/telemetry/", problems)
    page.get_by_label("File").set_input_files(
        files=[
            {
                "name": "bad.csv",
                "mimeType": "text/csv",
                "buffer": b"ts_start,interval_s,channel,energy_wh\nyesterday,3600,pv_kwh,-1\n",
            }
        ]
    )
    page.get_by_role("button", name="Upload readings").click()
    sync_api.expect(page.get_by_role("alert")).to_contain_text("Line 2")
    page.screenshot(path=shots / f"upload-{name}.png", full_page=True)

    assert problems == []
