"""Following every link of a region's pages, as a person would: for the page tests, in
process with Django's test client or over HTTP against a served site."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests
from django.test import Client
from django.urls import Resolver404, resolve


@dataclass(frozen=True)
class Answer:
    """What a page request got back, however it was sent."""

    status: int
    location: str
    content_type: str
    body: str


def _answer(response) -> Answer:
    # A download (an export, say) is streamed.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return Answer(
        response.status_code,
        response.get("Location", ""),
        response.get("Content-Type", ""),
        body.decode(errors="replace"),
    )


def through(client: Client) -> Callable[[str], Answer]:
    """Pages requested in process, as ``client``."""
    return lambda address: _answer(client.get(address))


def posting_through(client: Client) -> Callable[[str, dict], Answer]:
    """Forms sent in process, as ``client``."""
    return lambda address, data: _answer(client.post(address, data))


def _http_answer(response: requests.Response) -> Answer:
    return Answer(
        response.status_code,
        response.headers.get("Location", ""),
        response.headers.get("Content-Type", ""),
        response.text,
    )


def posting_over_http(session: requests.Session, base_url: str) -> Callable[[str, dict], Answer]:
    """Forms sent to the server at ``base_url``, with ``session``'s cookies."""
    return lambda address, data: _http_answer(
        session.post(base_url + address, data=data, allow_redirects=False, timeout=60)
    )


def over_http(session: requests.Session, base_url: str) -> Callable[[str], Answer]:
    """Pages requested from the server at ``base_url``, with ``session``'s cookies."""
    return lambda address: _http_answer(
        session.get(base_url + address, allow_redirects=False, timeout=60)
    )


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
# The hidden field Django's CSRF protection reads.
CSRF_FIELD = "csrfmiddlewaretoken"


@dataclass
class Page(HTMLParser):
    """One page's links, and what in its markup assistive technology would trip over."""

    links: list[str] = field(default_factory=list)
    ids: Counter = field(default_factory=Counter)
    tags: Counter = field(default_factory=Counter)
    head_titles: int = 0
    title: str = ""
    in_title: bool = False
    lang: str = ""
    problems: list[str] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)
    labels_for: set[str] = field(default_factory=set)
    open_labels: int = 0
    open_svgs: int = 0
    # Its forms, read in the same pass.
    forms: "FormFields" = field(default_factory=lambda: FormFields())

    def __post_init__(self):
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag, attrs):
        self.forms.handle_starttag(tag, attrs)
        attributes = dict(attrs)
        self.tags[tag] += 1
        if attributes.get("id"):
            self.ids[attributes["id"]] += 1
        if tag == "html":
            self.lang = attributes.get("lang") or ""
        elif tag == "title" and not self.open_svgs:
            self.head_titles += 1
            self.in_title = True
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
        elif tag in ("input", "select", "textarea") and (
            attributes.get("type") not in UNLABELLED_TYPES
            and not self.open_labels
            and not _named(attributes)
        ):
            self.unlabelled.append(attributes.get("id") or attributes.get("name") or tag)

    def handle_data(self, data):
        self.forms.handle_data(data)
        if self.in_title:
            self.title += data

    def handle_endtag(self, tag):
        self.forms.handle_endtag(tag)
        if tag == "title":
            self.in_title = False
        if tag == "label":
            self.open_labels -= 1
        elif tag == "svg":
            self.open_svgs -= 1

    def what_is_wrong(self) -> list[str]:
        wrong = list(self.problems)
        wrong += [
            "a form that posts with no CSRF token"
            for form in self.forms.forms
            if form.method == "post" and CSRF_FIELD not in form.fields
        ]
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


@dataclass
class Form:
    action: str
    method: str
    # Each field's name and the value a browser would send untouched.
    fields: dict[str, str] = field(default_factory=dict)
    # The (name, value) of each named submit button: a form may do different things.
    buttons: list[tuple[str, str]] = field(default_factory=list)
    # The names of its file fields.
    files: list[str] = field(default_factory=list)


class FormFields(HTMLParser):
    """Each form on a page, with what a browser would send from it as it stands, except
    that every checkbox is ticked and every radio group answered: the fields behind them
    are reached too."""

    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            method = (attributes.get("method") or "get").lower()
            self.forms.append(Form(attributes.get("action", ""), method))
            return
        name = attributes.get("name")
        if not self.forms:
            return
        form = self.forms[-1]
        kind = attributes.get("type", "text") if tag == "input" else tag
        if tag == "option" and self._select is not None:
            if "selected" in attributes or not form.fields[self._select]:
                form.fields[self._select] = attributes.get("value", "")
        elif not name:
            return
        elif kind == "file":
            form.files.append(name)
        elif kind in ("submit", "button"):
            form.buttons.append((name, attributes.get("value", "")))
        elif kind in ("checkbox", "radio"):
            if "checked" in attributes or name not in form.fields:
                form.fields[name] = attributes.get("value", "on")
        elif tag == "select":
            self._select = name
            form.fields.setdefault(name, "")
        elif tag == "textarea":
            self._textarea = name
            form.fields[name] = ""
        elif tag == "input":
            form.fields[name] = attributes.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self.forms[-1].fields[self._textarea] += data


def _named(attributes: dict) -> bool:
    return bool(
        attributes.get("aria-label") or attributes.get("aria-labelledby") or attributes.get("title")
    )


def pattern_of(path: str) -> str:
    try:
        match = resolve(path)
    except Resolver404:
        return path
    # The admin's "view on site" address is one pattern for every model: each model's
    # record finds its page its own way.
    return f"{match.route} {match.kwargs.get('content_type_id', '')}"


@dataclass
class Crawl:
    """What following every link found."""

    # The pages reached, by address.
    pages: list[str] = field(default_factory=list)
    # What was wrong on the way, each with the page it was on.
    wrong: list[str] = field(default_factory=list)
    # The forms on each page reached, as a browser would send them.
    forms: dict[str, list[Form]] = field(default_factory=dict)


def crawl(get: Callable[[str], Answer], *, host: str = "testserver") -> Crawl:
    """The pages reached from the front page by ``get`` (``through`` a test client, or over
    HTTP from ``host``), their forms, and what was wrong on the way: any answer but a page
    or a redirect is."""
    queue, seen, per_pattern = [("/", "the address bar")], set(), Counter()
    found = Crawl()
    pages, wrong = found.pages, found.wrong
    # WCAG 2.2 2.4.2: a title says which page this is, so two kinds of page never share one.
    patterns_titled: dict[str, str] = {}
    while queue:
        address, linked_from = queue.pop(0)
        parts = urlsplit(address)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", host):
            continue
        if parts.path.startswith(NOT_PAGES):
            continue
        here = parts.path + (f"?{parts.query}" if parts.query else "")
        if here in seen:
            continue
        pattern = pattern_of(parts.path)
        per_pattern[pattern] += 1
        most = ADMIN_PAGES_PER_PATTERN if parts.path.startswith("/admin/") else PAGES_PER_PATTERN
        if per_pattern[pattern] > most:
            continue
        seen.add(here)
        assert len(seen) < MOST_PAGES, f"the crawl found more than {MOST_PAGES} pages"
        answer = get(here)
        if answer.status in (301, 302, 303):
            queue.append((urljoin(here, answer.location), here))
            continue
        if answer.status != 200:
            wrong.append(f"{here} (linked from {linked_from}) answers {answer.status}")
            continue
        if not answer.content_type.startswith("text/html"):
            continue
        pages.append(here)
        page = Page()
        page.feed(answer.body)
        if not parts.path.startswith(OWN_MARKUP):
            wrong += [f"{here}: {problem}" for problem in page.what_is_wrong()]
            title = " ".join(page.title.split())
            titled = patterns_titled.setdefault(title, pattern)
            if titled != pattern:
                wrong.append(f"{here}: its title {title!r} is also another kind of page's")
        for link in page.links:
            if not link.startswith(("#", "mailto:", "tel:")):
                queue.append((urljoin(here, link.split("#")[0]), here))
        found.forms[here] = page.forms.forms
    return found


@dataclass(frozen=True)
class Sent:
    """A form sent from a page, with the button pressed, and what it got back."""

    page: str
    action: str
    button: tuple[str, str] | None
    answer: Answer


def kinds_of_form(found: Crawl) -> list[tuple[str, int, str, tuple[str, str] | None]]:
    """One of each kind of form that posts among those ``found``: the page it is on, its
    place there, where it posts and the button pressed; signing out last."""
    kinds, chosen = set(), []
    for address, forms in found.forms.items():
        for index, form in enumerate(forms):
            if form.method != "post":
                continue
            action = urljoin(address, form.action or address)
            path = urlsplit(action).path
            pattern = pattern_of(path)
            for button in form.buttons or [None]:
                # The admin's buttons all save: one of them is enough.
                pressed = None if path.startswith("/admin/") or button is None else button[0]
                if (pattern, pressed) not in kinds:
                    kinds.add((pattern, pressed))
                    chosen.append((address, index, action, button))
    chosen.sort(key=lambda each: "logout" in each[2])
    return chosen


def send_every_form(
    found: Crawl,
    *,
    get: Callable[[str], Answer],
    post: Callable[[str, dict], Answer],
    sign_in_again: Callable[[], None],
    skip: Callable[[str], bool] = lambda action: False,
) -> list[Sent]:
    """Each kind of form ``found`` (but those whose action ``skip`` names), sent once as its
    page now fills it (the page is read again: an earlier form may have changed it, and
    it holds the session's CSRF token); signed in again after any that signed out."""
    sent = []
    for address, index, action, button in kinds_of_form(found):
        if skip(action):
            continue
        page = FormFields()
        page.feed(get(address).body)
        if index >= len(page.forms):
            continue  # an earlier form took it away (a disconnected service's, say)
        data = {**page.forms[index].fields, **(dict([button]) if button else {})}
        sent.append(Sent(address, action, button, post(action, data)))
        if get("/accounts/").status != 200:
            sign_in_again()
    return sent
