"""Reading SPDX licence expressions. Pure: no Django.

Licences are named by SPDX identifiers, by ScanCode ``LicenseRef-scancode-…`` keys (which
name many licences SPDX does not, such as the Anti-Capitalist Software License), or by
extra keys the network lists itself (its liberatory licence list).

Every reader of licence expressions (the service form, the dossier, charter check V1)
parses them here, so they all agree on what an expression says.
"""

import re
from collections.abc import Iterable
from functools import cache

from boolean.boolean import Expression, ParseError
from license_expression import ExpressionError, Licensing, get_spdx_licensing

_TOKEN = re.compile(r"[A-Za-z0-9.+:-]+")


class LicenceExpressionError(ValueError):
    """An expression that cannot be read, or that names a licence nobody knows."""


@cache
def _spdx() -> Licensing:
    # Loading the licence index takes a while; every caller shares one copy.
    return get_spdx_licensing()


def parse_licence_expression(expression: str) -> Expression:
    """Parse an SPDX licence expression; unknown identifiers are allowed, bad syntax is not.

    Raises:
        LicenceExpressionError, whose message is a phrase to follow a field's name, e.g.
        "cannot read the licence expression 'MIT AND (': Invalid expression".
    """
    text = expression.strip()
    if not text:
        raise LicenceExpressionError("the licence expression is empty")
    try:
        parsed: Expression = _spdx().parse(text, validate=False, strict=True)
    except (ExpressionError, ParseError) as error:
        raise LicenceExpressionError(
            f"cannot read the licence expression {text!r}: {error}"
        ) from error
    return parsed


def unknown_licence_keys(parsed: Expression) -> list[str]:
    """The keys in ``parsed`` that are neither SPDX identifiers nor ScanCode keys."""
    return [str(key) for key in _spdx().unknown_license_keys(parsed)]


def normalise_licence_expression(expression: str, *, extra_keys: Iterable[str] = ()) -> str:
    """Return the expression in its normal SPDX spelling, or raise LicenceExpressionError.

    Its messages are sentences, for a form field.

    Args:
        expression: e.g. ``"gpl-3.0-or-later"`` or ``"MIT and Apache-2.0"``.
        extra_keys: identifiers accepted besides the SPDX and ScanCode ones.
    """
    if not (expression or "").strip():
        raise LicenceExpressionError("Give a licence expression, e.g. AGPL-3.0-or-later.")
    try:
        parsed = parse_licence_expression(expression)
    except LicenceExpressionError as error:
        phrase = str(error)
        raise LicenceExpressionError(phrase[:1].upper() + phrase[1:]) from error
    known_extra = {k.lower(): k for k in extra_keys}
    unknown = [k for k in unknown_licence_keys(parsed) if k.lower() not in known_extra]
    if unknown:
        raise LicenceExpressionError(
            f"Unknown licence identifier{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: "
            "use SPDX identifiers (https://spdx.org/licenses/), e.g. GPL-3.0-or-later."
        )
    # The parser keeps the spelling it was given for keys it does not know; use the listed one.
    return _TOKEN.sub(lambda m: known_extra.get(m.group(0).lower(), m.group(0)), str(parsed))
