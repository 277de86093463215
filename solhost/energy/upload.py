"""Accepting one telemetry file for one server, whichever door it comes in by."""

from django.conf import settings

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
    limit = max_upload_bytes()
    if size > limit:
        raise TelemetryError(
            [Problem(1, f"the file is larger than {limit // (1024 * 1024)} MB; send it in parts")]
        )


def decode(data: bytes) -> str:
    """The file's text; TelemetryError if it is too large or not UTF-8."""
    check_size(len(data))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise TelemetryError([Problem(line, "is not UTF-8 text")]) from None


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
