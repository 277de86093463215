"""A parameter's value as people read it: dollars, percentages, words. Pure: no Django.

Values are stored as the network decides them (whole cents, basis points, codes); the
public pages show ``$1,000.00 a month``, ``90 % of the window`` or ``active days``
instead, with the unit's own words after the figure.
"""

from typing import Final

from solhost.core.money import format_aud, format_bp
from solhost.core.parameter_types import BASIS_POINTS, CENTS, INTEGER, TEXT, TEXT_LIST
from solhost.core.safe_json import whole_number

# Codes some parameters take, in words; a code not listed is shown as it is.
CODE_WORDS: Final = {
    "active_days": (
        "active days: each service a resident used gets a share of their payment in "
        "proportion to the days they used it that month"
    ),
    "commons": "the commons pool",
    "solidarity": "the solidarity fund",
    "offsite_backup": "off-site backup",
    "dns": "DNS",
    "cloud_connector": "cloud connector",
}
# The unit words a figure already says: "$12.00 AUD cents" would say the unit twice.
_SAID_BY_THE_FIGURE: Final = {CENTS: "AUD cents", BASIS_POINTS: "basis points"}


def _after(unit: str, said: str) -> str:
    return unit.removeprefix(said).strip()


def _join(figure: str, rest: str) -> str:
    return f"{figure} {rest}" if rest else figure


def _count(value: int, unit: str) -> str:
    """``7 days``, ``1 day``, ``1,000 metres``."""
    if value == 1 and unit.endswith("s") and " " not in unit:
        unit = unit[:-1]
    return _join(f"{value:,}", unit)


def _dollars(cents: str) -> str:
    number = whole_number(cents)
    return format_aud(number) if number is not None else cents


def value_in_words(kind: str, unit: str, value: object) -> str:
    """``value`` of a parameter of ``kind`` measured in ``unit``, for people.

    >>> value_in_words("cents", "AUD cents a month", 100000)
    '$1,000.00 a month'
    >>> value_in_words("basis_points", "basis points of the window", 9000)
    '90 % of the window'
    """
    if value is None:
        return "—"
    if kind == CENTS and isinstance(value, int):
        return _join(format_aud(value), _after(unit, _SAID_BY_THE_FIGURE[CENTS]))
    if kind == BASIS_POINTS and isinstance(value, int):
        return _join(format_bp(value), _after(unit, _SAID_BY_THE_FIGURE[BASIS_POINTS]))
    if kind == INTEGER and isinstance(value, int):
        return _count(value, unit)
    if kind == TEXT and isinstance(value, str):
        return CODE_WORDS[value] if value in CODE_WORDS else _join(value, unit)
    if kind == TEXT_LIST and isinstance(value, list):
        if not value:
            return "(none)"
        if unit.startswith(_SAID_BY_THE_FIGURE[CENTS]):
            figures = ", ".join(_dollars(str(v)) for v in value)
            return _join(figures, _after(unit, _SAID_BY_THE_FIGURE[CENTS]))
        return ", ".join(code_in_words(str(v)) for v in value)
    return str(value)


def code_in_words(code: str) -> str:
    """One of the codes a parameter may take (``active_days``), in words."""
    return CODE_WORDS.get(code, code)


def bound_in_words(kind: str, unit: str, bound: int | None) -> str:
    """A parameter's least or greatest allowed value, in the words of its values."""
    return "—" if bound is None else value_in_words(kind, unit, bound)
