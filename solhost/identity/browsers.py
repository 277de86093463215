"""A browser's name in words ("Firefox on Windows") from its User-Agent header, so that a
resident can tell their signed-in browsers apart on their connected page.

A User-Agent names more than one browser on purpose (every Chromium browser says
"Chrome" and "Safari", Safari says "Mozilla"), so the tokens are tried from the most
particular to the most general. It is a hint the browser chose to send, never proof: the
page shows it beside the address and time the session began.
"""

import re

# (token in the header, the browser's name), most particular first.
_BROWSERS: tuple[tuple[str, str], ...] = (
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("Edge/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Vivaldi/", "Vivaldi"),
    ("FxiOS/", "Firefox"),
    ("Firefox/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)

# (pattern in the header, the system's name), most particular first: an iPhone's Safari
# says "like Mac OS X", Android says "Linux".
_SYSTEMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\biPhone\b"), "iPhone"),
    (re.compile(r"\biPad\b"), "iPad"),
    (re.compile(r"\bAndroid\b"), "Android"),
    (re.compile(r"\bCrOS\b"), "ChromeOS"),
    (re.compile(r"\bWindows\b"), "Windows"),
    (re.compile(r"\bMac OS X\b|\bMacintosh\b"), "macOS"),
    (re.compile(r"\bLinux\b"), "Linux"),
)

UNKNOWN = "Unknown browser"


def browser_name(user_agent: str) -> str:
    """``user_agent`` in words: "Firefox on Windows", "Safari on iPhone"; the browser or
    the system alone when only one is known; ``UNKNOWN`` when neither is (a program such
    as curl, or no header)."""
    browser = next((name for token, name in _BROWSERS if token in user_agent), None)
    system = next((name for pattern, name in _SYSTEMS if pattern.search(user_agent)), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or (f"A browser on {system}" if system else UNKNOWN)
