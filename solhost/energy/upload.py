"""Accepting one telemetry file for one server, whichever door it comes in by."""

from django.conf import settings

from solhost.core.request_input import BodyTooLarge, read_body
from solhost.core.safe_json import NUL_MESSAGE
from solhost.energy import actions
from solhost.energy.canonical import Problem, TelemetryError
from solhost.energy.ingest import UploadOptions, read_upload
from solhost.energy.models import TelemetryUpload
from solhost.energy.stored import site_timezone
from solhost.partners.models import Server


def max_upload_bytes() -> int:
    return int(settings.ENERGY_UPLOAD_MAX_BYTES)


def check_size(size: int) -> None:
    """TelemetryError if a file of ``size`` bytes is more than one upload may hold."""
    if size > max_upload_bytes():
        raise _too_large()


def _too_large() -> TelemetryError:
    limit = max_upload_bytes()
    return TelemetryError(
        [Problem(1, f"the file is larger than {limit // (1024 * 1024)} MB; send it in parts")]
    )


def decode(data: bytes) -> str:
    """The file's text; TelemetryError if it is too large, not UTF-8 or holds a NUL."""
    check_size(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise TelemetryError([Problem(line, "is not UTF-8 text")]) from None
    # Decoding refuses surrogates; NUL is valid UTF-8 but no meter export holds one.
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise TelemetryError([Problem(line, NUL_MESSAGE)])
    return text


def read_request(request) -> str:
    """An API request's body as text, never reading more than one upload may hold."""
    try:
        return decode(read_body(request, limit=max_upload_bytes()))
    except BodyTooLarge:
        raise _too_large() from None


def accept_upload(
    *, server: Server, text: str, options: UploadOptions, actor, via: str, file_name: str = ""
) -> TelemetryUpload:
    """Read, check and store one file; TelemetryError with every problem stores nothing."""
    telemetry = read_upload(text, options, server=server.slug, timezone=site_timezone())
    return actions.store_telemetry(
        server=server,
        telemetry=telemetry,
        actor=actor,
        via=via,
        options=options,
        file_name=file_name,
    )


def problem_list(error: TelemetryError) -> list[dict]:
    """Every problem as ``{line, message}``; line is None for the upload's options."""
    return [{"line": p.line or None, "message": p.message} for p in error.problems]
