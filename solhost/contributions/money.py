"""Reading and writing Australian dollars as whole cents. Pure: no Django, no floats."""

import re

_AMOUNT = re.compile(r"\$?\s*(\d{1,9})(?:\.(\d{1,2}))?")


def parse_aud(text: str) -> int:
    """``"12"``, ``"12.5"``, ``"$1,200.00"`` → cents; ValueError saying why otherwise."""
    cleaned = (text or "").strip().replace(",", "")
    match = _AMOUNT.fullmatch(cleaned)
    if match is None:
        raise ValueError(f"{text!r} is not an amount of dollars, e.g. 12 or 12.50")
    return int(match[1]) * 100 + int((match[2] or "0").ljust(2, "0"))


def format_aud(cents: int) -> str:
    """1234 → ``"$12.34"``; whole dollars keep their cents so columns line up."""
    sign = "−" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"
