"""Reading one endpoint of a LoRes node over HTTP, with a deadline and a size cap. Pure: no Django.

A node is a machine in someone's home or co-op, reached over the region's own network:
it may be down, slow or answering something else entirely. Every failure becomes
``InputProblems`` naming the endpoint, so the sync can say what went wrong and store nothing.
"""

import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Final

from solhost.core.addresses import unreadable
from solhost.core.problems import InputProblems
from solhost.core.safe_json import load_json

MY_REGIONS: Final = "/public_api/my_regions/"
REGION_APPS: Final = "/public_api/region_apps/"
LOCAL_APPS: Final = "/public_api/local_apps/"

# A region of a few hundred nodes and apps answers in well under 1 MiB; anything larger
# is not a LoRes answer, and reading it would only tie up the worker.
MAX_BYTES: Final = 2 * 1024 * 1024
TIMEOUT_SECONDS: Final = 10.0
# The longest node address stored with its sync's outcome (the column's length).
MAX_ADDRESS: Final = 200


def address_problem(base_url: str) -> str | None:
    """What makes ``base_url`` no address of a node, or None when it is one."""
    if not base_url.startswith(("http://", "https://")):
        return f"{base_url!r} is not an http:// or https:// address"
    if len(base_url) > MAX_ADDRESS:
        return f"the address is longer than {MAX_ADDRESS} characters"
    if not base_url.isprintable() or " " in base_url:
        return f"{base_url!r} holds a space or a control character"
    if (reason := unreadable(base_url)) is not None:
        return f"{base_url!r} is not an address that can be read ({reason})"
    if not urllib.parse.urlsplit(base_url).hostname:
        return f"{base_url!r} names no host"
    return None


def read_endpoint(
    base_url: str,
    path: str,
    *,
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_BYTES,
) -> object:
    """The JSON document a node answers at ``path``, or InputProblems naming ``GET path``."""
    where = f"GET {path}"
    if problem := address_problem(base_url):
        raise InputProblems([(where, problem)])
    url = base_url.rstrip("/") + path
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = _read_capped(response, timeout=timeout, max_bytes=max_bytes)
    except urllib.error.HTTPError as error:
        raise InputProblems([(where, f"the node answered HTTP {error.code}")]) from None
    except TimeoutError:
        raise InputProblems([(where, f"no answer within {timeout:g} seconds")]) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise InputProblems([(where, f"the node could not be reached ({reason})")]) from None
    if len(body) > max_bytes:
        raise InputProblems([(where, f"the answer is larger than {max_bytes:,} bytes")])
    try:
        return load_json(body)
    except InputProblems as problems:
        # Named as the parser names fields, so every message reads "GET <path> $[0]…".
        raise InputProblems(
            [
                (where if at == "$" else f"{where} {at}", message)
                for at, message in problems.problems
            ]
        ) from None


def _read_capped(response: object, *, timeout: float, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes, within ``timeout`` in all: the socket's own timeout
    is per read, so a node sending a byte a second would otherwise hold the worker forever."""
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    while size <= max_bytes:
        if time.monotonic() > deadline:
            raise TimeoutError
        chunk: bytes = response.read(min(65536, max_bytes + 1 - size))  # type: ignore[attr-defined]
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
