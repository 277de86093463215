"""A reader of Java ``.properties`` text written from java.util.Properties.load's rules,
independent of the writer under test."""

ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}


def _logical_lines(text: str):
    pending = ""
    for raw in text.splitlines():
        line = raw.lstrip(" \t\f") if pending else raw
        if not pending and (not line.strip() or line.lstrip(" \t\f")[:1] in "#!"):
            continue
        trailing = len(line) - len(line.rstrip("\\"))
        if trailing % 2:
            pending += line[:-1]
            continue
        yield (pending + line).lstrip(" \t\f")
        pending = ""
    if pending:
        yield pending.lstrip(" \t\f")


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        following = text[i + 1]
        if following == "u":
            out.append(chr(int(text[i + 2 : i + 6], 16)))
            i += 6
        else:
            out.append(ESCAPES.get(following, following))
            i += 2
    # \\u escapes of a surrogate pair join into one character.
    return "".join(out).encode("utf-16", "surrogatepass").decode("utf-16")


def load(text: str) -> dict[str, str]:
    found = {}
    for line in _logical_lines(text):
        i = 0
        while i < len(line) and line[i] not in "=: \t\f":
            i += 2 if line[i] == "\\" else 1
        key = line[:i]
        rest = line[i:].lstrip(" \t\f")
        if rest[:1] in ("=", ":"):
            rest = rest[1:].lstrip(" \t\f")
        found[_unescape(key)] = _unescape(rest)
    return found
