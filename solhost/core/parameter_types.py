"""Kinds of network parameter and the validation of a proposed value.

Pure: plain values in, plain values out, no Django. Governance uses it to refuse an
impossible proposal before it opens; the Parameter model uses it on every save.
"""

from collections.abc import Callable, Sequence
from typing import Final

INTEGER: Final = "integer"
BASIS_POINTS: Final = "basis_points"
CENTS: Final = "cents"
TEXT: Final = "text"
TEXT_LIST: Final = "text_list"

KINDS: Final = (INTEGER, BASIS_POINTS, CENTS, TEXT, TEXT_LIST)


class ParameterValueError(ValueError):
    """A value that does not fit its parameter's kind or range."""


def validate_parameter_value(
    kind: str,
    value: object,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    choices: Sequence[str] = (),
    say: Callable[[int], str] = str,
) -> object:
    """Return ``value`` if it fits, else raise ParameterValueError saying why.

    Args:
        kind: one of KINDS. Whole-number kinds refuse floats and booleans, so that
            money and shares never pass through binary fractions.
        value: the decoded JSON value.
        minimum, maximum: inclusive bounds for whole-number kinds.
        choices: for TEXT and TEXT_LIST, the allowed words (empty means any).
        say: writes a whole number, a bound or the value refused, in the messages:
            ``15 %`` rather than ``1500`` for people who read the parameter's unit.
    """
    if kind not in KINDS:
        raise ParameterValueError(f"unknown parameter kind {kind!r}")
    if kind in (INTEGER, BASIS_POINTS, CENTS):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParameterValueError(f"must be a whole number, got {value!r}")
        low = 0 if kind in (BASIS_POINTS, CENTS) and minimum is None else minimum
        high = 10_000 if kind == BASIS_POINTS and maximum is None else maximum
        if low is not None and value < low:
            raise ParameterValueError(f"must be at least {say(low)}, got {say(value)}")
        if high is not None and value > high:
            raise ParameterValueError(f"must be at most {say(high)}, got {say(value)}")
        return value
    if kind == TEXT:
        if not isinstance(value, str) or not value.strip():
            raise ParameterValueError(f"must be non-empty text, got {value!r}")
        if choices and value not in choices:
            raise ParameterValueError(f"must be one of {', '.join(choices)}, got {value!r}")
        return value
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ParameterValueError(f"must be a list of non-empty texts, got {value!r}")
    if len(set(value)) != len(value):
        raise ParameterValueError("must not repeat an entry")
    unknown = [v for v in value if choices and v not in choices]
    if unknown:
        raise ParameterValueError(f"has entries outside {', '.join(choices)}: {', '.join(unknown)}")
    return value
