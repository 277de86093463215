"""A resident, in Chromium, finds their account from the header, downloads their data,
asks for their account to be deleted (a wrong password first), then keeps it."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from jsonschema import Draft202012Validator
from playwright import sync_api

from solhost.residents.models import AccountDeletion
from solhost.residents.queries import SCHEMA_PATH
from solhost.residents.tests.story import october
from solhost.test import PASSWORD, make_world

pytestmark = pytest.mark.e2e


def shoot(page, shots: Path, name: str) -> None:
    """The page at a laptop's width and at a phone's."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=shots / f"{name}.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=shots / f"{name}-narrow.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_resident_takes_their_data_asks_to_leave_and_stays(live_server, browser):
    world = make_world()
    october(world)
    shots = Path(django_settings.VAR_DIR) / "screenshots" / "residents"
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    expect = sync_api.expect

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("rita@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_role("main")).to_contain_text("rita@example.org")
    expect(page.get_by_role("main")).to_contain_text("$25.00")
    shoot(page, shots, "overview")

    page.get_by_role("link", name="Download your data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    shoot(page, shots, "export")
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download my data (zip)").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(downloading.value.path()).read_bytes()))
    document = json.loads(archive.read("export.json"))
    Draft202012Validator(json.loads(SCHEMA_PATH.read_text())).validate(document)
    assert document["account"]["username"] == "rita"
    assert [p["amount_cents"] for p in document["payments"]] == [2500]

    page.get_by_role("link", name="Overview").click()
    page.get_by_role("link", name="Delete your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account")
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete my account after 30 days").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    shoot(page, shots, "delete-refused")
    assert not AccountDeletion.objects.exists()

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account after 30 days").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_role("status")).to_contain_text("Your account will be deleted after")
    shoot(page, shots, "overview-deletion-due")
    assert AccountDeletion.objects.get().pending

    page.get_by_role("button", name="Keep my account").click()
    expect(page.get_by_role("status")).to_contain_text("Your account will not be deleted.")
    assert not AccountDeletion.objects.get().pending
    # The refused form came back with its 400, as the browser notes; nothing else went wrong.
    assert problems == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    context.close()
