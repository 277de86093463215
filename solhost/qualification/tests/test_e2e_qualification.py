"""A partner fills its dossier and uploads evidence, the steward approves it, the public sees it.

Runs in a real browser (Debian's Chromium) against a live server; screenshots go to
``var/screenshots/qual-*.png``, at desktop width and at 375 px.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright import sync_api

from solhost.qualification.tests.helpers import PDF
from solhost.test import PASSWORD, make_world

pytestmark = pytest.mark.e2e


def test_partner_files_evidence_steward_approves_public_sees_it(live_server, browser, tmp_path):
    world = make_world()
    shots = Path(django_settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    expect = sync_api.expect
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )

    def shot(name: str) -> None:
        page.screenshot(path=shots / f"qual-{name}.png", full_page=True)

    def sign_in(user) -> None:
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()

    sign_in(world.alice)
    page.goto(live_server.url + "/manage/mcc/dossier/")
    shot("01-dossier-empty")
    page.get_by_role("link", name="Edit declarations", exact=True).click()
    page.get_by_role("spinbutton", name="Workers (optional)", exact=True).fill("3")
    page.get_by_role("spinbutton", name="Workers who are union members").fill("3")
    page.get_by_label("Union participation").fill(
        "All three are members of Professionals Australia."
    )
    page.get_by_label("Commons stewardship").fill("Users are members of the co-op with a vote.")
    shot("02-declarations-form")
    page.get_by_role("button", name="Save declarations").click()
    expect(page.get_by_role("status")).to_contain_text("declarations were saved")

    # The dossier's list of what is missing leads to the form, with the criterion chosen.
    page.get_by_role("link", name="Add evidence for B1.4").click()
    expect(page.get_by_label("Criterion")).to_have_value("B1.4")
    page.get_by_label("Title").fill("Union membership letter 2026")
    page.get_by_label("File").set_input_files(
        files=[{"name": "union.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_label("Show this evidence to the public").check()
    page.get_by_label("Valid until").fill("2027-06-30")
    shot("03-evidence-form")
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_role("status")).to_contain_text("sent to the steward")
    expect(page.get_by_text("Awaiting review").first).to_be_visible()
    shot("04-dossier-with-evidence")

    page.goto(live_server.url + "/partners/mcc/qualification/")
    b14 = page.get_by_role("row", name=re.compile(r"^B1\.4 "))
    expect(b14).to_contain_text("Not yet shown")
    expect(b14).to_contain_text("awaiting the steward's review")
    expect(page.get_by_role("link", name="Union membership letter 2026")).to_have_count(0)

    page.get_by_role("button", name=re.compile("Sign out")).click()
    sign_in(world.sam)
    page.goto(live_server.url + "/qualification/review/")
    shot("05-review-queue")
    page.get_by_role("link", name="Review “Union membership letter 2026”").click()
    page.get_by_label("Approve").check()
    page.get_by_label("Comment").fill("Thank you.")
    shot("06-review-form")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_contain_text("approved")

    page.get_by_role("button", name=re.compile("Sign out")).click()
    page.goto(live_server.url + "/partners/mcc/qualification/")
    b14 = page.get_by_role("row", name=re.compile(r"^B1\.4 "))
    expect(b14).to_contain_text("Met")
    expect(b14.get_by_role("link", name="Union membership letter 2026")).to_be_visible()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"B1\.4 for Merri Creek Computing: Not yet shown → Met"))
    ).to_be_visible()
    shot("07-public-page")
    page.set_viewport_size({"width": 375, "height": 800})
    shot("08-public-page-375")
    context.close()
    assert problems == []
