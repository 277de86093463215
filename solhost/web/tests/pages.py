"""Checks every public page must pass: strict CSP, no inline code or style, no off-site assets."""

import html as entities
import re
from collections.abc import Callable

from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
ASSET_TAG = re.compile(r"<(?:link|script|img)\b[^>]*>", re.I)
ASSET_URL = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", re.I)
UNSEEN = re.compile(r"<(script|style|head)\b.*?</\1>", re.S | re.I)
TAG = re.compile(r"<[^>]*>")
# A tag closing just before punctuation leaves a space a reader never sees: "</a>:".
SPACE_BEFORE_PUNCTUATION = re.compile(r" ([,.:;!?)])")


def assert_clean_page(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    html = response.content.decode()
    for attrs, body in SCRIPT.findall(html):
        if "src=" in attrs:
            assert not body.strip(), f"script with src also holds code: {attrs}"
        else:
            assert 'type="application/json"' in attrs, f"inline script: {attrs} {body[:80]}"
    assert " style=" not in html
    assert "<style" not in html
    for tag in ASSET_TAG.findall(html):
        for url in ASSET_URL.findall(tag):
            assert not re.match(r"(?:[a-z]+:)?//", url, re.I), f"off-site asset: {tag}"
            if url.startswith("/static/"):
                assert finders.find(url.removeprefix("/static/")), f"missing asset: {url}"


def visible_text(html: str) -> str:
    """The words a reader sees: no tags, attributes (links' URLs), scripts or head, spaces collapsed."""
    text = " ".join(entities.unescape(TAG.sub(" ", UNSEEN.sub(" ", html))).split())
    return SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def assert_queries_do_not_grow(client, url: str, add_more: Callable[[], None]) -> None:
    """The page costs the same number of queries after ``add_more`` adds rows to show."""
    before = query_count(client, url)
    add_more()
    assert query_count(client, url) == before
