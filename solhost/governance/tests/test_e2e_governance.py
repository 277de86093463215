"""Two partners and the steward decide a price in a real browser; the parameter changes.

Alice (Merri Creek Computing) raises a proposal to lift the land-back minimum, adds the
change and opens it; she, Carol (Coburg Commons Tech) and Sam (the steward) vote; the
deadline passes and ``solhost close-decisions`` runs; the parameter's history page shows
the new value with the decision that set it.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone
from playwright import sync_api

from solhost.core.models import parameter_value
from solhost.governance.models import Proposal
from solhost.test import PASSWORD

pytestmark = pytest.mark.e2e


class Session:
    """One person's browser context: signs in, records problems, photographs pages."""

    def __init__(self, browser, base_url: str, shots: Path, who: str, width: int = 1280):
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.base_url, self.shots, self.who = base_url, shots, who
        self.problems: list[str] = []
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on(
            "console",
            lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"),
        )

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def sign_in(self, email: str) -> None:
        self.goto("/accounts/login/")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign In").click()
        sync_api.expect(
            self.page.get_by_role("button", name=re.compile("Sign out"))
        ).to_be_visible()

    def shot(self, name: str) -> None:
        self.page.screenshot(path=self.shots / f"gov-{name}.png", full_page=True)


def test_two_partners_and_the_steward_change_a_price(live_server, world, browser):
    shots = Path(django_settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    expect = sync_api.expect
    effective = timezone.localdate() + datetime.timedelta(days=30)
    before = parameter_value("land_back_min_bp", at=effective)

    alice = Session(browser, live_server.url, shots, "alice")
    alice.sign_in("alice@example.org")
    alice.goto("/governance/")
    alice.page.get_by_role("link", name="Raise a proposal").click()
    alice.page.get_by_label("Title").fill("Raise the land-back minimum to 15%")
    alice.page.get_by_label("Reasoning").fill("The network owes more to the Wurundjeri.")
    alice.page.get_by_label("Consent").check()
    alice.page.get_by_label("Changes take effect on").fill(effective.isoformat())
    alice.shot("propose")
    alice.page.get_by_role("button", name="Save draft").click()
    expect(alice.page.get_by_role("heading", level=1)).to_contain_text("Draft:")

    alice.page.get_by_label("Parameter", exact=True).select_option("land_back_min_bp")
    alice.page.get_by_label("New value").fill("fifteen percent")
    alice.page.get_by_role("button", name="Add change").click()
    expect(alice.page.get_by_role("alert")).to_contain_text(
        "Least land-back contribution of a settler-run partner: must be a whole number"
    )
    alice.shot("draft-bad-value")
    alice.page.get_by_label("New value").fill("1500")
    alice.page.get_by_role("button", name="Add change").click()
    expect(alice.page.get_by_role("status")).to_contain_text(
        "Change to Least land-back contribution of a settler-run partner added"
    )
    alice.shot("draft")
    alice.page.get_by_role("button", name="Open for votes").click()
    expect(alice.page.get_by_role("status")).to_contain_text("The proposal is open")
    proposal = Proposal.objects.get()
    assert proposal.status == "open"

    alice.page.get_by_label("Agree", exact=True).check()
    alice.page.get_by_label("Comment").fill("We can afford it from July.")
    alice.page.get_by_role("button", name="Cast vote").click()
    expect(alice.page.get_by_role("status")).to_contain_text(
        "Vote recorded for Merri Creek Computing"
    )

    carol = Session(browser, live_server.url, shots, "carol", width=375)
    carol.sign_in("carol@example.org")
    carol.goto(proposal.get_absolute_url())
    carol.page.get_by_label("Block", exact=True).check()
    carol.page.get_by_role("button", name="Cast vote").click()
    expect(carol.page.get_by_role("main")).to_contain_text("blocked, no consent if it closed now")
    # Carol talks with her co-op and changes the vote before the decision closes.
    carol.page.get_by_label("Agree", exact=True).check()
    carol.page.get_by_label("Comment").fill("Agreed after our members' meeting.")
    carol.page.get_by_role("button", name="Cast vote").click()
    expect(carol.page.get_by_role("main")).to_contain_text("consent reached if it closed now")
    carol.shot("decision-mobile")

    sam = Session(browser, live_server.url, shots, "sam")
    sam.sign_in("sam@example.org")
    sam.goto(proposal.get_absolute_url())
    sam.page.get_by_label("Abstain", exact=True).check()
    sam.page.get_by_role("button", name="Cast vote").click()
    expect(sam.page.get_by_role("main")).to_contain_text("2 agree, 0 block, 1 abstain")
    sam.shot("decision-open")

    # The deadline passes; the scheduled job (here, its command) closes and enacts it.
    Proposal.objects.filter(pk=proposal.pk).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    call_command("close-decisions")
    proposal.refresh_from_db()
    assert proposal.status == "enacted"
    assert parameter_value("land_back_min_bp", at=effective) == 1500
    assert parameter_value("land_back_min_bp", at=effective - datetime.timedelta(days=1)) == before

    sam.goto(proposal.get_absolute_url())
    expect(sam.page.get_by_role("main")).to_contain_text(
        "2 agree, 0 block, 1 abstain: consent reached."
    )
    expect(sam.page.get_by_role("main")).to_contain_text("Agreed after our members' meeting.")
    sam.shot("decision-enacted")

    sam.goto("/governance/")
    sam.shot("index")
    sam.page.get_by_role("link", name="Parameters and their history").click()
    sam.shot("parameters")
    sam.page.get_by_role(
        "link", name="Least land-back contribution of a settler-run partner"
    ).click()
    history = sam.page.get_by_role("table")
    newest = history.get_by_role("row").nth(1)
    expect(newest).to_contain_text("15 % of gross revenue")
    expect(newest).to_contain_text(f"Decision {proposal.pk}: Raise the land-back minimum to 15%")
    expect(newest).to_contain_text("upcoming")
    expect(history).to_contain_text("Charter, initial value")
    sam.shot("parameter-history")
    newest.get_by_role("link").click()
    expect(sam.page.get_by_role("heading", level=1)).to_have_text(
        "Raise the land-back minimum to 15%"
    )

    carol.goto("/governance/parameters/land_back_min_bp/")
    carol.shot("parameter-history-mobile")

    for session in (alice, carol, sam):
        session.context.close()
        assert session.problems == []
