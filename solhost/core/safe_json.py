"""Reading untrusted JSON and text, one way for every door. Pure: no Django.

Python's ``json`` accepts what no database or page can hold: NUL characters (PostgreSQL
refuses them in text), lone surrogates (``"\\ud800"``, not encodable as UTF-8), and
nesting so deep that walking it exhausts the stack. ``load_json`` refuses all of these,
each with its JSON path, as ``InputProblems``; ``text_problem`` is the same rule for one
string that arrived some other way.
"""

import json
import math
import re
from typing import Final

from solhost.core.problems import InputProblems

# Deeper than any document the platform reads (a dossier nests five levels), far below
# the interpreter's recursion limit, so any later walk of the value is safe.
MAX_DEPTH: Final = 32
# How many offending strings are named before the rest are only counted.
MAX_NAMED: Final = 5

NUL_MESSAGE: Final = "contains a NUL character (U+0000)"
# The largest key (a row's id) there can be: 64-bit on every database the region runs on.
# A bigger number names no row, and SQLite's driver refuses to send it at all.
LARGEST_KEY: Final = 2**63 - 1

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class _NotJson(ValueError):
    """A constant (NaN, Infinity) that Python accepts and JSON does not have, or a number
    too large for it to hold."""


def _refuse_constant(name: str) -> float:
    raise _NotJson(f"{name} is not a JSON value: use a number or null")


def _finite(text: str) -> float:
    # Python reads 1e309 as infinity, which it would then write back as Infinity.
    number = float(text)
    if math.isinf(number):
        shown = text if len(text) <= 20 else f"{text[:20]}…"
        raise _NotJson(f"{shown} is too large for a number")
    return number


def whole_number(text: str) -> int | None:
    """The whole number ``text`` writes in ASCII digits, or None (a sign, a space, an
    empty string, or more digits than Python reads: 4,300): a form's key, say, or a column
    number. ``str.isdigit`` alone also takes "²", which ``int`` refuses."""
    if not (text.isascii() and text.isdigit()):
        return None
    try:
        return int(text)
    except ValueError:  # longer than int() converts
        return None


def text_problem(value: str) -> str | None:
    """What makes ``value`` unfit to store or show, or None when it is fine."""
    if "\x00" in value:
        return NUL_MESSAGE
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        return f"contains a lone surrogate (U+{ord(value[error.start]):04X}), which is not text"
    return None


def member_path(path: str, key: str) -> str:
    """The JSON path of ``key`` inside the object at ``path``, escaped when it is unusual."""
    if _PLAIN_KEY.match(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"


def load_json(
    data: str | bytes, *, where: str = "$", max_depth: int = MAX_DEPTH, check_text: bool = True
) -> object:
    """The JSON document in ``data``, or InputProblems saying what is wrong and where.

    Bytes must be UTF-8 (a byte-order mark is allowed). ``check_text=False`` leaves the
    strings to a reader that refuses bad ones one record at a time (the usage API does,
    so one bad event does not lose its batch); the depth limit always holds.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise InputProblems(
                [(where, f"is not UTF-8 text (byte {error.start + 1} is not)")]
            ) from None
    try:
        document = json.loads(data, parse_constant=_refuse_constant, parse_float=_finite)
    except json.JSONDecodeError as error:
        message = f"is not JSON: {error.msg} at line {error.lineno} column {error.colno}"
        raise InputProblems([(where, message)]) from None
    except _NotJson as error:
        raise InputProblems([(where, str(error))]) from None
    except ValueError as error:  # an integer literal longer than Python converts
        raise InputProblems([(where, f"is not usable JSON: {error}")]) from None
    except RecursionError:
        raise InputProblems([(where, f"nests deeper than {max_depth} levels")]) from None
    problems = document_problems(document, where=where, max_depth=max_depth, text=check_text)
    if problems:
        raise InputProblems(problems)
    return document


def document_problems(
    document: object, *, where: str = "$", max_depth: int = MAX_DEPTH, text: bool = True
) -> list[tuple[str, str]]:
    """Nesting beyond ``max_depth``, and (with ``text``) bad strings, with their paths.

    Iterative, so a document too deep to recurse into is still walked safely.
    """
    problems: list[tuple[str, str]] = []
    bad_strings = 0

    def check(path: str, value: str) -> None:
        nonlocal bad_strings
        message = text_problem(value)
        if message is not None:
            bad_strings += 1
            if bad_strings <= MAX_NAMED:
                problems.append((path, message))

    stack: list[tuple[str, object, int]] = [(where, document, 0)]
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, dict | list) and depth >= max_depth:
            return [(path, f"nests deeper than {max_depth} levels")]
        if isinstance(value, dict):
            children: list[tuple[str, object, int]] = []
            for key, item in value.items():
                child = member_path(path, key)
                if text:
                    check(child, key)
                if isinstance(item, str):
                    if text:
                        check(child, item)
                elif isinstance(item, dict | list):
                    children.append((child, item, depth + 1))
            stack.extend(reversed(children))
        elif isinstance(value, list):
            children = []
            for index, item in enumerate(value):
                if isinstance(item, str):
                    if text:
                        check(f"{path}[{index}]", item)
                elif isinstance(item, dict | list):
                    children.append((f"{path}[{index}]", item, depth + 1))
            stack.extend(reversed(children))
        elif isinstance(value, str) and text:
            check(path, value)
    if bad_strings > MAX_NAMED:
        problems.append((where, f"and {bad_strings - MAX_NAMED} more strings like these"))
    return problems
