"""A partner closes in a real browser, and nobody is stranded.

Alice announces Merri Creek Computing's wind-down, taking nobody new from today; the
directory and the service page say when it closes, and Fern, who never used it, is turned
away at sign-in. Rita sees the notice on her account, downloads her export, picks Coburg
Commons Tech's files service and Carol accepts her; Dan only downloads his export, and
Alice marks his data returned; Sam the steward completes the wind-down, which releases
the money held for MCC to be paid out with what it was owed; the directory no longer
lists the service and the public page shows every case settled. Each page is
photographed at 1280 and 375 pixels wide.
"""

import datetime
import re
import zipfile
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from playwright import sync_api

from solhost.identity.tests.oidc import authorize_params, make_client
from solhost.ledger import accounts
from solhost.ledger.actions import post_transaction
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

    def download_export(self) -> list[str]:
        """Download the resident's zip from "Your data"; the names of the files in it."""
        self.goto("/accounts/data/")
        with self.page.expect_download() as download:
            self.page.get_by_role("button", name="Download my data (zip)").click()
        return zipfile.ZipFile(download.value.path()).namelist()

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
    # A month closed earlier left $56.78 held for MCC and $12.34 carried.
    post_transaction(
        description="Close of an earlier month",
        postings=[
            (accounts.fixed_account(accounts.CONTRIBUTIONS), 6912),
            (accounts.held_account(story.mcc), -5678),
            (accounts.payable_account(story.mcc), -1234),
        ],
        actor=None,
        date=today - datetime.timedelta(days=5),
    )

    alice = Session(browser, live_server.url, shots, "alice@example.org")
    alice.goto("/manage/mcc/wind-down/")
    days = {
        "Announcement": 0,
        "No new sign-ups from": 0,
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

    shutdown = (today + datetime.timedelta(days=120)).strftime("%-d %B %Y")
    visitor = browser.new_page(viewport={"width": 1280, "height": 900})
    visitor.goto(live_server.url + "/services/?kind=files")
    expect(visitor.get_by_text(f"Closing on {shutdown}")).to_be_visible()
    _photograph(visitor, shots / "winddown-directory-closing")
    visitor.get_by_role("link", name="MCC Files").click()
    expect(visitor.get_by_text(f"Closing on {shutdown}.")).to_be_visible()
    expect(visitor.get_by_text("It takes no new residents.")).to_be_visible()
    _photograph(visitor, shots / "winddown-service-closing")

    fern = Session(browser, live_server.url, shots, "fern@example.org")
    registered = make_client(story.mcc_service)
    fern.goto(f"/oidc/authorize/?{urlencode(authorize_params(registered))}")
    expect(fern.page.get_by_role("heading", level=1)).to_have_text(
        "You cannot sign in to MCC Files"
    )
    expect(fern.page.get_by_role("alert")).to_contain_text("takes no new residents")
    fern.shot("sign-in-refused")

    rita = Session(browser, live_server.url, shots, "rita@example.org")
    rita.goto("/accounts/")
    expect(rita.page.get_by_role("heading", name="A co-op you use is closing")).to_be_visible()
    rita.shot("account-notice")
    assert "wind_down_cases.csv" in " ".join(rita.download_export())
    rita.goto("/accounts/")
    rita.page.get_by_role("link", name="See what happens to your data").click()
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

    dan = Session(browser, live_server.url, shots, "dan@example.org")
    assert dan.download_export()

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

    alice.goto("/manage/mcc/wind-down/")
    expect(alice.page.get_by_text("Merri Creek Computing is owed $69.12")).to_be_visible()
    alice.shot("partner-completed")

    visitor.goto(live_server.url + "/services/?kind=files")
    expect(visitor.get_by_role("link", name="Coburg Commons Tech Files")).to_be_visible()
    expect(visitor.get_by_text("MCC Files")).to_have_count(0)
    _photograph(visitor, shots / "winddown-directory-closed")
    visitor.goto(live_server.url + "/closing/mcc/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Merri Creek Computing has closed")
    expect(visitor.get_by_text("dan@example.org")).to_have_count(0)
    _photograph(visitor, shots / "winddown-public")
    for session in (alice, rita, carol, dan, sam):
        assert session.problems == []
    # The refusal is a 403 page, which the browser notes; nothing else went wrong for Fern.
    assert fern.problems == [
        "console: Failed to load resource: the server responded with a status of 403 (Forbidden)"
    ]


def _photograph(page, stem: Path) -> None:
    """A page seen by nobody signed in, wide and then narrow."""
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{stem}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
