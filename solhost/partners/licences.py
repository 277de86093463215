"""Reading SPDX licence expressions. Pure: no Django.

Licences are named by SPDX identifiers, by ScanCode ``LicenseRef-scancode-…`` keys (which
name many licences SPDX does not, such as the Anti-Capitalist Software License), or by
extra keys the network lists itself (its liberatory licence list).
"""

import re
from collections.abc import Iterable
from functools import cache

from boolean.boolean import ParseError
from license_expression import ExpressionError, Licensing, get_spdx_licensing

_TOKEN = re.compile(r"[A-Za-z0-9.+:-]+")


class LicenceExpressionError(ValueError):
    """An expression that cannot be read, or that names a licence nobody knows."""


@cache
def _spdx() -> Licensing:
    # Loading the licence index takes a while; every caller shares one copy.
    return get_spdx_licensing()


def normalise_licence_expression(expression: str, *, extra_keys: Iterable[str] = ()) -> str:
    """Return the expression in its normal SPDX spelling, or raise LicenceExpressionError.

    Args:
        expression: e.g. ``"gpl-3.0-or-later"`` or ``"MIT and Apache-2.0"``.
        extra_keys: identifiers accepted besides the SPDX and ScanCode ones.
    """
    text = (expression or "").strip()
    if not text:
        raise LicenceExpressionError("Give a licence expression, e.g. AGPL-3.0-or-later.")
    licensing = _spdx()
    try:
        parsed = licensing.parse(text, validate=False, strict=True)
    except (ExpressionError, ParseError) as error:
        raise LicenceExpressionError(
            f"Cannot read the licence expression {text!r}: {error}"
        ) from error
    known_extra = {k.lower(): k for k in extra_keys}
    unknown = [k for k in licensing.unknown_license_keys(parsed) if k.lower() not in known_extra]
    if unknown:
        raise LicenceExpressionError(
            f"Unknown licence identifier{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: "
            "use SPDX identifiers (https://spdx.org/licenses/), e.g. GPL-3.0-or-later."
        )
    # The parser keeps the spelling it was given for keys it does not know; use the listed one.
    return _TOKEN.sub(lambda m: known_extra.get(m.group(0).lower(), m.group(0)), str(parsed))
