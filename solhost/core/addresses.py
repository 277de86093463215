"""Whether urllib can read an address at all: its parser raises ValueError for a bracket
never closed (``http://[x/``) and, only once the port is asked for, for a port past 65535
(``https://files.example.org:99999/``), where every later reader of the address fails."""

from urllib.parse import urlsplit


def unreadable(address: str) -> str | None:
    """Why urllib can't read ``address``, in its own words, or None when it can."""
    try:
        urlsplit(address).port  # noqa: B018 (read for the ValueError of a port past 65535)
    except ValueError as error:
        return str(error)
    return None
