"""Finding a payer's reference inside a bank's description of a transfer. Pure: no Django.

Banks copy the payer's words into a longer text ("PAYID FROM J NGUYEN REF R-7KQ2M9XA
THANKS") and may break a code with spaces or drop or add its dash, so codes are compared
on their letters and digits alone, and only against whole runs of words.
"""

import re
from collections.abc import Iterable, Mapping

# Banks join words with spaces or dashes; any other mark (":", "/", "*") ends a run.
_RUN_SEPARATORS = re.compile(r"[^A-Z0-9 \-]+")
_WORD = re.compile(r"[A-Z0-9]+")
# A code is at most this many words once a bank has broken it with spaces.
_MAX_PIECES = 6


def compact(code: str) -> str:
    """A code's letters and digits, upper case: ``r-7kq2 m9xa`` → ``R7KQ2M9XA``."""
    return "".join(_WORD.findall(code.upper()))


def reference_index(codes: Iterable[str]) -> dict[str, str]:
    """Codes by their letters and digits, built once for all the lines of a statement."""
    return {compact(code): code for code in codes}


def find_reference(description: str, index: Mapping[str, str]) -> str | None:
    """The one code of ``index`` written in ``description``; None when there is none or several.

    A code matches a run of whole words whose letters and digits, joined, spell it; so
    ``R-7KQ2M9XA`` is found in ``ref r 7kq2m9xa`` but not in ``R-7KQ2M9XAB``. The work
    grows with the description's length, not with the number of codes.
    """
    found = set()
    for run in _RUN_SEPARATORS.split(description.upper()):
        words = _WORD.findall(run)
        for start in range(len(words)):
            for end in range(start + 1, min(start + _MAX_PIECES, len(words)) + 1):
                if (code := index.get("".join(words[start:end]))) is not None:
                    found.add(code)
    return found.pop() if len(found) == 1 else None
