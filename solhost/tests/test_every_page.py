"""Every page each demo login reaches by following links: it answers, it is built to be
read, and reading it changes nothing; in a browser, it fits a phone, passes axe-core's
WCAG 2.2 AA rules at a phone's width and a laptop's, and runs without errors.

The demo region is loaded once and crawled from the front page as each of its logins and as
a visitor, following every link on every page (a few pages per address pattern, so that
ten partners' pages don't crowd out the rest). A link that leads to an error is a broken
link. Each page is checked for what assistive technology needs to read it, and the
database is compared before and after: reading must never write, because a site cut off
from the primary database serves pages from a read-only copy. Then every kind of form the
login reached (that no login before it sent) is sent as its page fills it, and must answer
without an error.
"""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.test import Client

from solhost.demo.loader import LOGINS, load_demo
from solhost.identity.models import User
from solhost.tests.crawling import (
    OWN_MARKUP,
    crawl,
    pattern_of,
    posting_through,
    send_every_form,
    through,
)
from solhost.tests.photographs import signed_in_context

# The narrowest screen the pages are made for (WCAG 2.2 reflow: 320 CSS px of content).
PHONE = {"width": 375, "height": 800}
# And a laptop's, where the layout puts things side by side (and targets may shrink).
DESKTOP = {"width": 1280, "height": 800}
# One login of each kind, and each of the demo's partners in a different state.
IN_A_BROWSER = ("ren", "priya", "tom", "jess", "lin", "maria")
# Reading as a signed-in person may start a session; nothing else may change.
SESSION_TABLES = {"sessions.Session"}


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.label not in SESSION_TABLES
    }


@pytest.mark.slow
@pytest.mark.django_db
def test_every_linked_page_answers_reads_well_and_changes_nothing():
    load_demo()
    reached, wrong, sent_kinds, sent = {}, [], set(), 0
    for login in [None, *LOGINS]:
        client = Client()
        who = login.username if login else "a visitor"
        user = User.objects.get(email=login.email) if login else None
        if user:
            client.force_login(user)
        before = row_counts()
        found = crawl(through(client))
        reached[who] = len(found.pages)
        wrong += [f"as {who}: {problem}" for problem in found.wrong]
        after = row_counts()
        wrong += [
            f"as {who}: reading pages changed {table} from {before[table]} rows to {count}"
            for table, count in after.items()
            if count != before[table]
        ]
        if user is None:
            continue
        # Every failure is collected and named, rather than the first raised.
        client.raise_request_exception = False
        answers = send_every_form(
            found,
            get=through(client),
            post=posting_through(client),
            sign_in_again=lambda client=client, user=user: client.force_login(user),
            # A deletion confirmed would take away what the logins after this one read.
            skip=lambda action, done=frozenset(sent_kinds): (
                action.endswith("/delete/") or pattern_of(urlsplit(action).path) in done
            ),
        )
        sent += len(answers)
        sent_kinds |= {pattern_of(urlsplit(each.action).path) for each in answers}
        wrong += [
            f"as {who}: the form on {each.page} sent to {each.action} {each.button or ''} "
            f"answered {each.answer.status}"
            for each in answers
            if each.answer.status >= 500
        ]
    assert not wrong, "\n".join(sorted(set(wrong)))
    # Each login reaches more than its own front page: the links on it lead somewhere.
    assert min(reached.values()) > 20, reached
    assert sent > 100, sent


# What is wider than its box on a page that scrolls sideways (ignoring text hidden in a
# one-pixel box for screen readers): where to look first.
TOO_WIDE = """() => [...document.querySelectorAll('body *')]
    .filter(element => element.clientWidth > 1 && element.scrollWidth > element.clientWidth + 1)
    .slice(-3)
    .map(element => `${element.tagName.toLowerCase()}.${element.className}`)"""


# axe-core (installed by `make test`, pinned by its lock beside this file), and the rules
# of WCAG 2.2 A and AA as it tags them.
AXE = Path(__file__).parent / "accessibility/node_modules/axe-core/axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Swagger UI draws the API reference inside this element with markup of its own (buttons
# within buttons, small links); the page around it is the site's and is checked.
NOT_OURS = ["#swagger-ui"]
AXE_RUN = """async ([tags, notOurs]) => (await axe.run({exclude: notOurs}, {
        runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
    })).violations.map(rule => `${rule.id} (${rule.help}): `
        + rule.nodes.slice(0, 3).map(node => node.target.join(' ')).join(', '))"""


def accessibility_failures(tab, axe_source: str) -> list[str]:
    """What axe-core finds against WCAG 2.2 AA on ``tab``'s page, one line per rule broken.

    The script is evaluated through the browser's debugging protocol, which the page's
    Content-Security-Policy does not govern, so the page runs under its real policy."""
    tab.evaluate(axe_source)
    return tab.evaluate(AXE_RUN, [WCAG_AA, NOT_OURS])


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


# The pages' reads are crawled on both databases above; their layout is the same on each.
@pytest.mark.e2e
@pytest.mark.same_on_every_database
def test_every_linked_page_fits_a_phone_reads_aloud_and_runs_without_errors(live_server, browser):
    """Each kind of page is judged by axe-core at a phone's width and a laptop's."""
    load_demo()
    logins = {login.username: login for login in LOGINS}
    axe_source = AXE.read_text()
    wrong, checked_wide = [], set()
    for who in ("a visitor", *IN_A_BROWSER):
        login = logins.get(who)
        user = User.objects.get(email=login.email) if login else None
        client, context = signed_in_context(browser, live_server.url, user, viewport=PHONE)
        tab = context.new_page()
        errors = errors_of(tab)
        checked = set()
        for address in crawl(through(client)).pages:
            if address.startswith(OWN_MARKUP):
                continue
            tab.goto(live_server.url + address)
            if tab.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
                wrong.append(
                    f"as {who}: {address} scrolls sideways at {PHONE['width']} px; "
                    f"too wide: {tab.evaluate(TOO_WIDE)}"
                )
            # One page of each kind (address pattern) for each login: the pages of a kind
            # share a template, and each login sees its own parts of it.
            kind = pattern_of(urlsplit(address).path)
            if kind in checked:
                continue
            checked.add(kind)
            # At a laptop's width once per kind, whoever reaches it first: the layout
            # is the kind's, whichever login's parts fill it.
            widths = [PHONE] if kind in checked_wide else [PHONE, DESKTOP]
            checked_wide.add(kind)
            for width in widths:
                tab.set_viewport_size(width)
                wrong += [
                    f"as {who}: {address} at {width['width']} px breaks {failure}"
                    for failure in accessibility_failures(tab, axe_source)
                ]
            tab.set_viewport_size(PHONE)
        context.close()
        wrong += [f"as {who}: {error}" for error in errors]
    assert not wrong, "\n".join(wrong)


@pytest.mark.e2e
@pytest.mark.same_on_every_database
def test_the_accessibility_check_finds_what_a_screen_reader_would_miss(browser):
    tab = browser.new_page()
    tab.set_content(
        '<!doctype html><html lang="en"><title>t</title><main><img src="/x.png">'
        '<a href="/"></a><div id="swagger-ui"><img src="/y.png"></div></main></html>'
    )

    failures = accessibility_failures(tab, AXE.read_text())

    assert [failure.split(" ")[0] for failure in failures] == ["image-alt", "link-name"]
    assert 'img[src="/y.png"]' not in " ".join(failures)  # Swagger UI's part is not judged
