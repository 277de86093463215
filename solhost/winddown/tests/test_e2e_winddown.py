"""A partner closes in a real browser, and nobody is stranded.

Alice announces Merri Creek Computing's wind-down; Rita sees the notice on her cases page,
picks Coburg Commons Tech's files service and Carol accepts her; Dan only wants his data,
which Alice marks returned; Sam the steward completes the wind-down; the public page
shows every case settled. Each page is photographed at 1280 and 375 pixels wide.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from playwright import sync_api

from solhost.test import PASSWORD
from solhost.winddown.models import WindDown
from solhost.winddown.tests.helpers import closing_story, qualify

pytestmark = pytest.mark.e2e
expect = sync_api.expect


class Session:
    def __init__(self, browser, base_url: str, shots: Path, email: str):
        self.browser, self.base_url, self.shots = browser, base_url, shots
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on(
            "console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}")
        )
        self.goto("/accounts/login/")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign In").click()
        expect(self.page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def shot(self, name: str) -> None:
        """The page as it is, wide and then narrow."""
        for width in (1280, 375):
            self.page.set_viewport_size({"width": width, "height": 900})
            self.page.screenshot(path=self.shots / f"winddown-{name}-{width}.png", full_page=True)
        self.page.set_viewport_size({"width": 1280, "height": 900})


def test_a_partner_closes_and_every_resident_is_returned_or_moved(live_server, world, browser):
    shots = Path(django_settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    story = closing_story(world)
    today = timezone.localdate()
    qualify(story.cct, today)

    alice = Session(browser, live_server.url, shots, "alice@example.org")
    alice.goto("/manage/mcc/wind-down/")
    days = {
        "Announcement": 0,
        "No new sign-ups from": 14,
        "Read-only from": 60,
        "Data returned by": 30,
        "Shutdown": 120,
    }
    for label, offset in days.items():
        day = today + datetime.timedelta(days=offset)
        alice.page.get_by_label(label, exact=True).fill(day.isoformat())
    alice.page.get_by_role("button", name="Announce the wind-down").click()
    alert = alice.page.get_by_role("alert")
    expect(alert).to_contain_text("comes before read-only")
    expect(alert).to_contain_text("at least 90 days")
    alice.shot("refused")
    alice.page.get_by_label("Data returned by").fill((today + datetime.timedelta(90)).isoformat())
    alice.page.get_by_label("Read-only from").fill((today + datetime.timedelta(60)).isoformat())
    alice.page.get_by_role("button", name="Announce the wind-down").click()
    expect(alice.page.get_by_role("status")).to_contain_text("2 cases opened")
    alice.shot("partner")

    rita = Session(browser, live_server.url, shots, "rita@example.org")
    rita.goto("/leaving/cases/")
    expect(rita.page.get_by_role("heading", name="MCC Files")).to_be_visible()
    expect(rita.page.get_by_text("Fitzroy Free Files")).to_have_count(0)
    rita.shot("my-cases")
    rita.page.get_by_role("button", name="Move me to Coburg Commons Tech Files").click()
    expect(rita.page.get_by_text("waiting for them to accept")).to_be_visible()

    carol = Session(browser, live_server.url, shots, "carol@example.org")
    carol.goto("/manage/cct/incoming-moves/")
    carol.shot("incoming")
    carol.page.get_by_role("button", name="Accept rita@example.org").click()
    expect(carol.page.get_by_role("status")).to_contain_text("Accepted rita")

    alice.goto("/manage/mcc/wind-down/")
    alice.page.get_by_label("Data returned to dan@example.org from MCC Files").check()
    alice.page.get_by_role("button", name="Mark the ticked cases as data returned").click()
    expect(alice.page.get_by_role("status")).to_contain_text("Marked 1 cases")
    alice.page.get_by_label("One of your servers").select_option(label="MCC one")
    alice.page.get_by_role("button", name="Offer it").click()
    alice.shot("partner-settled")

    carol.goto("/handover/")
    carol.page.get_by_label("What you would use it for").fill("A backup node in Coburg")
    carol.page.get_by_role("button", name="Ask for it").click()
    expect(carol.page.get_by_role("status")).to_contain_text("Asked for MCC one")

    sam = Session(browser, live_server.url, shots, "sam@example.org")
    sam.goto("/steward/wind-downs/")
    sam.shot("steward")
    sam.page.get_by_role("button", name="Record handover").click()
    sam.page.get_by_label(re.compile("I confirm Merri Creek Computing")).check()
    sam.page.get_by_role("button", name=re.compile("Complete the wind-down")).click()
    expect(sam.page.get_by_role("status")).to_contain_text("is complete")
    assert WindDown.objects.get().completed

    public = browser.new_page(viewport={"width": 1280, "height": 900})
    public.goto(live_server.url + "/closing/mcc/")
    expect(public.get_by_role("heading", level=1)).to_have_text("Merri Creek Computing has closed")
    expect(public.get_by_text("dan@example.org")).to_have_count(0)
    for width in (1280, 375):
        public.set_viewport_size({"width": width, "height": 900})
        public.screenshot(path=shots / f"winddown-public-{width}.png", full_page=True)
    for session in (alice, rita, carol, sam):
        assert session.problems == []
