"""Every page each demo login reaches by following links: it answers, it is built to be
read, and reading it changes nothing; in a browser, it fits a phone and runs without errors.

The demo region is loaded once and crawled from the front page as each of its logins and as
a visitor, following every link on every page (a few pages per address pattern, so that
ten partners' pages don't crowd out the rest). A link that leads to an error is a broken
link. Each page is checked for what assistive technology needs to read it, and the
database is compared before and after: reading must never write, because a site cut off
from the primary database serves pages from a read-only copy.
"""

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve

from solhost.demo.loader import LOGINS, load_demo
from solhost.identity.models import User

# Pages per address pattern: enough to see each state of a page the demo has.
PAGES_PER_PATTERN = 3
# Django's admin is one big family of patterns; one page of each shows it works.
ADMIN_PAGES_PER_PATTERN = 1
# A crawl that reaches this many pages has found a link that never ends (a calendar's
# "next" link, say): the test fails rather than walk it forever.
MOST_PAGES = 1500
# Form fields that need no label of their own.
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}
# Django's admin has its own markup and labels its table cells by column.
OWN_MARKUP = ("/admin/",)
NOT_PAGES = ("/static/", "/media/")
# The narrowest screen the pages are made for (WCAG 2.2 reflow: 320 CSS px of content).
PHONE = {"width": 375, "height": 800}
# One login of each kind, and each of the demo's partners in a different state.
IN_A_BROWSER = ("ren", "priya", "tom", "jess", "lin", "maria")
# Reading as a signed-in person may start a session; nothing else may change.
SESSION_TABLES = {"sessions.Session"}


@dataclass
class Page(HTMLParser):
    links: list[str] = field(default_factory=list)
    ids: Counter = field(default_factory=Counter)
    tags: Counter = field(default_factory=Counter)
    head_titles: int = 0
    lang: str = ""
    problems: list[str] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)
    labels_for: set[str] = field(default_factory=set)
    open_labels: int = 0
    open_svgs: int = 0
    open_forms: list[dict] = field(default_factory=list)

    def __post_init__(self):
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags[tag] += 1
        if attributes.get("id"):
            self.ids[attributes["id"]] += 1
        if tag == "html":
            self.lang = attributes.get("lang") or ""
        elif tag == "title" and not self.open_svgs:
            self.head_titles += 1
        elif tag == "svg":
            self.open_svgs += 1
            if not _named(attributes) and attributes.get("aria-hidden") != "true":
                self.problems.append("a chart or picture (svg) with no name and not hidden")
        elif tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        elif tag == "img" and "alt" not in attributes:
            self.problems.append(f"an image with no alt text: {attributes.get('src')}")
        elif tag == "label":
            self.open_labels += 1
            if attributes.get("for"):
                self.labels_for.add(attributes["for"])
        elif tag == "form":
            self.open_forms.append({"method": (attributes.get("method") or "get").lower()})
        elif tag in ("input", "select", "textarea"):
            if attributes.get("name") == "csrfmiddlewaretoken" and self.open_forms:
                self.open_forms[-1]["csrf"] = True
            if (
                attributes.get("type") not in UNLABELLED_TYPES
                and not self.open_labels
                and not _named(attributes)
            ):
                self.unlabelled.append(attributes.get("id") or attributes.get("name") or tag)

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels -= 1
        elif tag == "svg":
            self.open_svgs -= 1
        elif tag == "form" and self.open_forms:
            form = self.open_forms.pop()
            if form["method"] == "post" and not form.get("csrf"):
                self.problems.append("a form that posts with no CSRF token")

    def what_is_wrong(self) -> list[str]:
        wrong = list(self.problems)
        if not self.lang:
            wrong.append("no language on <html>")
        for tag, count in (("title", self.head_titles), ("h1", self.tags["h1"])):
            if count != 1:
                wrong.append(f"{count} <{tag}> elements, not one")
        if self.tags["main"] != 1:
            wrong.append(f"{self.tags['main']} <main> landmarks, not one")
        wrong += [f"the id {name!r} is used {n} times" for name, n in self.ids.items() if n > 1]
        wrong += [
            f"the field {name!r} has no label"
            for name in self.unlabelled
            if name not in self.labels_for
        ]
        return wrong


def _named(attributes: dict) -> bool:
    return bool(
        attributes.get("aria-label") or attributes.get("aria-labelledby") or attributes.get("title")
    )


def _pattern(path: str) -> str:
    try:
        return resolve(path).route
    except Resolver404:
        return path


def crawl(client: Client) -> tuple[list[str], list[str]]:
    """The pages ``client`` reached from the front page, and what was wrong on the way."""
    queue, seen, per_pattern, wrong, pages = [("/", "the address bar")], set(), Counter(), [], []
    while queue:
        address, linked_from = queue.pop(0)
        parts = urlsplit(address)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        if parts.path.startswith(NOT_PAGES):
            continue
        here = parts.path + (f"?{parts.query}" if parts.query else "")
        if here in seen:
            continue
        pattern = _pattern(parts.path)
        per_pattern[pattern] += 1
        most = ADMIN_PAGES_PER_PATTERN if parts.path.startswith("/admin/") else PAGES_PER_PATTERN
        if per_pattern[pattern] > most:
            continue
        seen.add(here)
        assert len(seen) < MOST_PAGES, f"the crawl found more than {MOST_PAGES} pages"
        response = client.get(here)
        if response.status_code in (301, 302, 303):
            queue.append((urljoin(here, response["Location"]), here))
            continue
        if response.status_code != 200:
            wrong.append(f"{here} (linked from {linked_from}) answers {response.status_code}")
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        pages.append(here)
        page = Page()
        page.feed(response.content.decode())
        if not parts.path.startswith(OWN_MARKUP):
            wrong += [f"{here}: {problem}" for problem in page.what_is_wrong()]
        for link in page.links:
            if not link.startswith(("#", "mailto:", "tel:")):
                queue.append((urljoin(here, link.split("#")[0]), here))
    return pages, wrong


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.label not in SESSION_TABLES
    }


@pytest.mark.django_db
def test_every_linked_page_answers_reads_well_and_changes_nothing():
    load_demo()
    reached, wrong = {}, []
    for login in [None, *LOGINS]:
        client = Client()
        who = login.username if login else "a visitor"
        if login:
            client.force_login(User.objects.get(email=login.email))
        before = row_counts()
        pages, problems = crawl(client)
        reached[who] = len(pages)
        wrong += [f"as {who}: {problem}" for problem in problems]
        after = row_counts()
        wrong += [
            f"as {who}: reading pages changed {table} from {before[table]} rows to {count}"
            for table, count in after.items()
            if count != before[table]
        ]
    assert not wrong, "\n".join(sorted(set(wrong)))
    # Each login reaches more than its own front page: the links on it lead somewhere.
    assert min(reached.values()) > 20, reached


# What is wider than its box on a page that scrolls sideways (ignoring text hidden in a
# one-pixel box for screen readers): where to look first.
TOO_WIDE = """() => [...document.querySelectorAll('body *')]
    .filter(element => element.clientWidth > 1 && element.scrollWidth > element.clientWidth + 1)
    .slice(-3)
    .map(element => `${element.tagName.toLowerCase()}.${element.className}`)"""


def signed_in_browser(browser, base_url: str, user: User | None):
    """A phone-sized browser context holding ``user``'s session, and a test client with it."""
    client = Client()
    context = browser.new_context(viewport=PHONE)
    if user is not None:
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        host = urlsplit(base_url).hostname
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "domain": host, "path": "/"}]
        )
    return client, context


def errors_of(tab) -> list[str]:
    """A list that fills with the scripts' errors and console errors of ``tab`` (blocked by
    the Content-Security-Policy, say), each with its page's address."""
    errors: list[str] = []
    tab.on(
        "console",
        lambda message: message.type == "error" and errors.append(f"{tab.url}: {message.text}"),
    )
    tab.on("pageerror", lambda error: errors.append(f"{tab.url}: {error}"))
    return errors


@pytest.mark.e2e
def test_every_linked_page_fits_a_phone_and_runs_without_errors(live_server, browser):
    load_demo()
    logins = {login.username: login for login in LOGINS}
    wrong = []
    for who in ("a visitor", *IN_A_BROWSER):
        login = logins.get(who)
        user = User.objects.get(email=login.email) if login else None
        client, context = signed_in_browser(browser, live_server.url, user)
        tab = context.new_page()
        errors = errors_of(tab)
        pages, _ = crawl(client)
        for address in pages:
            if address.startswith(OWN_MARKUP):
                continue
            tab.goto(live_server.url + address)
            if tab.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
                wrong.append(
                    f"as {who}: {address} scrolls sideways at {PHONE['width']} px; "
                    f"too wide: {tab.evaluate(TOO_WIDE)}"
                )
        context.close()
        wrong += [f"as {who}: {error}" for error in errors]
    assert not wrong, "\n".join(wrong)
