"""What a request carries before any view reads it: its text parameters and its size.

``InputGuardMiddleware`` (``core.middleware``) applies both to every request; views
that read a raw body read it with ``read_body`` so a body without a declared length is
still cut off at the limit instead of being read whole.
"""

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.urls import Resolver404, resolve

from solhost.core.safe_json import text_problem

CHUNK_BYTES = 64 * 1024


class BodyTooLarge(Exception):
    """A request body longer than its door accepts; the message says the limit."""

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"the body is larger than {_size(limit)}; send it in parts")


def _size(limit: int) -> str:
    mb = 1024 * 1024
    return f"{limit // mb} MB" if limit >= mb and limit % mb == 0 else f"{limit} bytes"


def max_request_bytes() -> int:
    return int(settings.SOLHOST_MAX_REQUEST_BYTES)


def declared_length(request: HttpRequest) -> int | None:
    """The body's ``Content-Length``, or None when the client did not say."""
    try:
        return int(request.META["CONTENT_LENGTH"])
    except (KeyError, ValueError):
        return None


def check_length(request: HttpRequest, limit: int) -> None:
    """BodyTooLarge if the declared length is over ``limit``; reads nothing."""
    length = declared_length(request)
    if length is not None and length > limit:
        raise BodyTooLarge(limit)


def read_body(request: HttpRequest, *, limit: int) -> bytes:
    """The whole body, read in chunks; BodyTooLarge as soon as it passes ``limit``."""
    check_length(request, limit)
    chunks: list[bytes] = []
    size = 0
    while chunk := request.read(CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def parameter_problems(request: HttpRequest) -> list[tuple[str, str]]:
    """Text no page or database can take in the path, query string or headers, by name."""
    problems: list[tuple[str, str]] = []
    if text_problem(request.path_info):
        problems.extend(_path_problems(request.path_info))
    problems.extend(named_parameter_problems(request.GET, "query parameter"))
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str):
            message = text_problem(value)
            if message:
                header = key.removeprefix("HTTP_").replace("_", "-").title()
                problems.append((f"header {header}", message))
    return problems


def named_parameter_problems(parameters: QueryDict, kind: str) -> list[tuple[str, str]]:
    """Text no page or database can take among ``parameters`` (a query string, or a form
    body no Django form checks), each named as ``kind`` and the parameter's name."""
    problems: list[tuple[str, str]] = []
    for name, values in parameters.lists():
        message = text_problem(name)
        if message:
            problems.append((f"{kind} name", message))
        for value in values:
            message = text_problem(value)
            if message:
                problems.append((f"{kind} {name!r}", message))
                break
    return problems


def _path_problems(path: str) -> list[tuple[str, str]]:
    """The path parameters at fault, named as the URL pattern names them."""
    try:
        match = resolve(path)
    except Resolver404:
        match = None
    named = [
        (f"path parameter {name!r}", message)
        for name, value in (match.kwargs.items() if match else ())
        if isinstance(value, str) and (message := text_problem(value))
    ]
    return named or [("path", text_problem(path) or "")]
