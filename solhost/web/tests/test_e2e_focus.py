"""Where the keyboard is, is plain to see: every link and button of the header, the
region's band and the band of the person's own work, shows a focus ring that stands out
from the band around it by at least 3:1 (WCAG 2.2: 2.4.7 focus visible, 1.4.11 non-text
contrast), for a visitor and for the steward, who has the most links."""

import re

import pytest

from solhost.demo.loader import load_demo
from solhost.identity.models import User
from solhost.tests.photographs import signed_in_context

pytestmark = [pytest.mark.e2e, pytest.mark.same_on_every_database]

# The focused element, its ring, and the colour of the band the ring is drawn on (the ring
# sits outside the element, so the band is its nearest ancestor with a background).
FOCUSED = """() => {
    const focused = document.activeElement;
    if (!focused.closest('header')) return null;
    let band = focused.parentElement;
    while (getComputedStyle(band).backgroundColor === 'rgba(0, 0, 0, 0)') {
        band = band.parentElement;
    }
    const ring = getComputedStyle(focused);
    const shown = focused.cloneNode(true);
    shown.querySelectorAll('.visually-hidden').forEach(hidden => hidden.remove());
    return {
        name: shown.textContent.trim(),
        style: ring.outlineStyle,
        width: parseFloat(ring.outlineWidth),
        ring: ring.outlineColor,
        band: getComputedStyle(band).backgroundColor,
    };
}"""


def luminance(css_colour: str) -> float:
    """The relative luminance (WCAG) of an ``rgb(r, g, b)`` colour."""
    channels = [int(value) / 255 for value in re.findall(r"\d+", css_colour)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_is_measured_as_wcag_defines_it():
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert round(contrast("rgb(29, 91, 58)", "rgb(255, 255, 255)"), 1) == 8.0  # --brand


def test_the_keyboards_place_in_the_header_stands_out(live_server, browser):
    load_demo()
    seen, faint = [], []
    for user in (None, User.objects.get(email="steward@example.org")):
        _, context = signed_in_context(browser, live_server.url, user)
        tab = context.new_page()
        tab.goto(live_server.url + "/")
        in_header = False
        for _ in range(40):  # the skip link, then the header, then the page
            tab.keyboard.press("Tab")
            focused = tab.evaluate(FOCUSED)
            if focused is None and in_header:
                break
            if focused is None:
                continue
            in_header = True
            seen.append(focused["name"])
            ratio = contrast(focused["ring"], focused["band"])
            if focused["style"] == "none" or focused["width"] < 2 or ratio < 3:
                faint.append(
                    f"{focused['name']}: {focused['ring']} on {focused['band']}, {ratio:.1f}:1"
                )
        context.close()
    assert {"Sign up", "Services", "Payouts", "Steward tools", "Sign out"} <= set(seen), seen
    assert not faint, "\n".join(faint)
