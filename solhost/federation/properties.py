"""Java ``.properties`` text, as ChatonsInfos files are written. Pure: no Django.

Every character outside printable ASCII is written as a ``\\uXXXX`` escape (UTF-16 code
units), so the file reads the same whether a reader takes it as ISO-8859-1 (Java's
``Properties.load(InputStream)``) or as UTF-8 (ChatonsInfos' own tools).
"""

from collections.abc import Iterable

_SPECIAL = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\f": "\\f"}


def _escape(text: str, *, key: bool, comment: bool = False) -> str:
    out = []
    for position, char in enumerate(text):
        if comment and " " <= char <= "~":
            out.append(char)
        elif char in _SPECIAL:
            out.append(_SPECIAL[char])
        elif char in "=:#!" or (char == " " and (key or position == 0)):
            out.append("\\" + char)
        elif " " <= char <= "~":
            out.append(char)
        else:
            encoded = char.encode("utf-16-be")
            out.extend(
                f"\\u{int.from_bytes(encoded[unit : unit + 2], 'big'):04x}"
                for unit in range(0, len(encoded), 2)
            )
    return "".join(out)


def properties_text(entries: Iterable[tuple[str, str]], *, comment: str = "") -> str:
    """``key = value`` lines in the given order, each escaped; ``comment`` heads the file."""
    lines = [f"# {_escape(line, key=False, comment=True)}" for line in comment.splitlines()]
    lines += [f"{_escape(key, key=True)} = {_escape(value, key=False)}" for key, value in entries]
    return "\n".join(lines) + "\n"
