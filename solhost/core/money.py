"""Reading and writing Australian dollars held as whole cents, and shares held as basis points.

Pure: no Django, no floats. Each function is one way of writing an amount, named for
who reads it: people on a page (``format_aud``), a sentence or table that names the
currency beside the figure (``format_dollars``), or a program reading a file or form
field back (``format_decimal``).
"""

import re

_AMOUNT = re.compile(r"\$?\s*(\d{1,9})(?:\.(\d{1,2}))?")
_MINUS = "−"  # U+2212: on a page a hyphen is too short to read as a sign


def parse_aud(text: str) -> int:
    """Dollars as people type them, as whole cents.

    Args:
        text: ``"12"``, ``"12.5"``, ``" $1,200.00 "``; commas and a leading ``$`` are fine,
            a sign or more than two decimals are not.

    Returns ``1200``, ``1250``, ``120000``; raises ValueError saying why otherwise.
    """
    cleaned = (text or "").strip().replace(",", "")
    match = _AMOUNT.fullmatch(cleaned)
    if match is None:
        raise ValueError(f"{text!r} is not an amount of dollars, e.g. 12 or 12.50")
    return int(match[1]) * 100 + int((match[2] or "0").ljust(2, "0"))


def _figure(cents: int, *, grouped: bool) -> str:
    dollars, rest = divmod(abs(cents), 100)
    return f"{dollars:,}.{rest:02d}" if grouped else f"{dollars}.{rest:02d}"


def format_aud(cents: int) -> str:
    """An amount for people, on a page or in a message.

    Args:
        cents: whole cents, any sign.

    Returns ``"$1,234.56"``, ``"$0.05"``, ``"−$2.50"`` (a true minus sign); whole dollars
    keep their cents so columns line up.
    """
    return f"{_MINUS if cents < 0 else ''}${_figure(cents, grouped=True)}"


def format_dollars(cents: int) -> str:
    """The figure alone, for reports and command output that name the currency beside it.

    Args:
        cents: whole cents, any sign.

    Returns ``"1,234.56"``, ``"0.05"``, ``"-2.50"`` (plain text: a hyphen-minus).
    """
    return f"{'-' if cents < 0 else ''}{_figure(cents, grouped=True)}"


def format_decimal(cents: int) -> str:
    """The figure as programs read it back: Beancount and CSV files, a form field's value.

    Args:
        cents: whole cents, any sign.

    Returns ``"1234.56"``, ``"0.05"``, ``"-2.50"``: no grouping, hyphen-minus.
    """
    return f"{'-' if cents < 0 else ''}{_figure(cents, grouped=False)}"


def format_percent_figure(basis_points: int) -> str:
    """A share as a percentage figure with no sign after it, for text that writes its own.

    Args:
        basis_points: hundredths of a percent, any sign.

    Returns ``"10"`` for 1000, ``"9.99"`` for 999, ``"87.5"`` for 8750, ``"-0.5"`` for -50:
    exact, with no trailing zeros.
    """
    whole, rest = divmod(abs(basis_points), 100)
    decimals = f".{rest:02d}".rstrip("0") if rest else ""
    return f"{'-' if basis_points < 0 else ''}{whole}{decimals}"


def format_bp(basis_points: int) -> str:
    """A share for people, exact: ``"10 %"`` for 1000, ``"9.99 %"`` for 999.

    Args:
        basis_points: hundredths of a percent, any sign.
    """
    return f"{format_percent_figure(basis_points)} %"
