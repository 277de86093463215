"""A resident's first visit, in a real browser against a real server.

They look around the region (home, the API's reference, directory, a filter, a partner),
join, verify their address from the email, log in. Every page must load without console
errors and without a single request to another host: the site has to work inside the
region with the internet down.
"""

import email
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from playwright import sync_api

from solhost.demo.loader import load_demo
from solhost.partners.models import Organisation

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")
NEW_RESIDENT = {
    "email": "nina@example.org",
    "username": "nina",
    "password": "a warm tin roof at dusk",
}

# No skip when Chromium is missing: `make test` installs it, and a silent skip would hide
# that the browser test never ran.
pytestmark = pytest.mark.e2e


class Visit:
    """One browser tab that records what goes wrong and photographs each page."""

    def __init__(self, page, base_url: str, shots: Path):
        self.page = page
        self.base_url = base_url
        self.host = urlsplit(base_url).netloc
        self.shots = shots
        self.count = 0
        self.problems: list[str] = []
        self.foreign: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("request", self._request)
        page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    def _request(self, request) -> None:
        url = urlsplit(request.url)
        if url.scheme in {"http", "https", "ws", "wss"} and url.netloc != self.host:
            self.foreign.append(request.url)

    def _response(self, response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status} for {response.url}")

    def goto(self, path: str) -> None:
        self.page.goto(path if path.startswith("http") else self.base_url + path)

    def shot(self, name: str) -> None:
        self.count += 1
        self.page.screenshot(path=self.shots / f"{self.count:02d}-{name}.png", full_page=True)


def result_count(page) -> int:
    text = page.get_by_role("region", name="Results").get_by_role("status").inner_text()
    return int(re.match(r"\d+", text.strip()).group(0))


def verification_link(mail_dir: Path) -> str:
    bodies = []
    for path in sorted(mail_dir.glob("*.log")):
        # The file backend appends each message to its file, separated by a line of dashes.
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            message = email.message_from_bytes(raw.strip())
            if NEW_RESIDENT["email"] in (message["To"] or ""):
                bodies.append(message.get_payload(decode=True).decode())
    links = [m.group(0) for body in bodies if (m := CONFIRM_LINK.search(body))]
    assert len(links) == 1, f"expected one verification mail, found {len(links)}"
    return links[0]


def test_a_resident_explores_joins_and_logs_in(live_server, settings, tmp_path, browser):
    load_demo()
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    shots = Path(django_settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    expect = sync_api.expect
    visit = Visit(page, live_server.url, shots)

    visit.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    visit.shot("home")

    # The API's reference, drawn by Swagger UI from this site's own files under its CSP.
    page.get_by_role("contentinfo").get_by_role("link", name="API").click()
    # Swagger UI draws a level-1 title of its own once its script has run, so the page's
    # heading is found by its name, not as the only one.
    expect(
        page.get_by_role("heading", level=1, name="solhost API reference", exact=True)
    ).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()
    visit.shot("api-docs")
    visit.goto("/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Services").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    everything = result_count(page)
    assert everything > 1
    visit.shot("directory")

    filters = page.get_by_role("search")
    filters.locator("select[name=kind]").select_option("files")
    filters.get_by_role("button").click()
    page.wait_for_url(re.compile(r"[?&]kind=files"))
    narrowed = result_count(page)
    assert 0 < narrowed < everything
    visit.shot("directory-files")

    partner_link = page.get_by_role("region", name="Results").locator("a[href^='/partners/']").first
    partner_slug = partner_link.get_attribute("href").strip("/").split("/")[-1]
    partner = Organisation.objects.get(slug=partner_slug)
    partner_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(partner.name)
    visit.shot("partner")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill(NEW_RESIDENT["email"])
    page.get_by_label("Username").fill(NEW_RESIDENT["username"])
    page.get_by_label("Password", exact=True).fill(NEW_RESIDENT["password"])
    page.get_by_label("Password (again)").fill(NEW_RESIDENT["password"])
    visit.shot("signup")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    visit.shot("verification-sent")

    visit.goto(verification_link(tmp_path / "mail"))
    expect(page.get_by_role("main")).to_contain_text(NEW_RESIDENT["email"])
    visit.shot("confirm-email")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("You have confirmed")

    # Confirming in the browser that signed up signs it in (allauth holds the pending
    # sign-up in that session alone: a link opened anywhere else signs in no one).
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()
    page.get_by_role("button", name=re.compile("Sign out")).click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Email").fill(NEW_RESIDENT["email"])
    page.get_by_label("Password").fill(NEW_RESIDENT["password"])
    visit.shot("login")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()
    expect(page.get_by_role("link", name="Sign up")).to_have_count(0)
    visit.shot("logged-in")

    context.close()
    assert visit.problems == []
    assert visit.foreign == []
