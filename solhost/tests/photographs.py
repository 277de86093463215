"""Photographs of pages for the browser tests, at the widths the pages must read well at."""

from pathlib import Path

from django.conf import settings
from django.test import Client

WIDTHS = (1280, 375)


def photograph(page, name: str) -> None:
    """Save ``page`` whole at each width under ``var/screenshots/<name>-<width>.png``, and
    fail if it scrolls sideways at any of them."""
    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    height = page.viewport_size["height"]
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=shots / f"{name}-{width}.png", full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{name} scrolls sideways at {width} px"
    page.set_viewport_size({"width": WIDTHS[0], "height": height})


def signed_in_context(browser, base_url: str, user, **options):
    """A browser context (made with ``options``) holding ``user``'s session at the live
    server at ``base_url`` (None: a visitor's), and a test client holding the same one."""
    client = Client()
    context = browser.new_context(**options)
    if user is not None:
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}]
        )
    return client, context
