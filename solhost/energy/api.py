"""Telemetry upload for partners' tools: ``POST /api/v1/servers/{slug}/telemetry``.

The body is canonical CSV (``Content-Type: text/csv``; an adapter's CSV export when the
``format`` query parameter names it), or JSON ``{"format", "channel", "kind", "unit",
"content"}`` where ``content`` is the export's text (or, for emoncms, its list of pairs).
"""

import json

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from solhost.core.api import GUARDED, NOT_FOUND, UNAUTHORISED
from solhost.core.problems import InputProblems
from solhost.core.safe_json import load_json
from solhost.energy.canonical import Problem, TelemetryError
from solhost.energy.ingest import CANONICAL, FORMATS, UploadOptions
from solhost.energy.models import TelemetryUpload
from solhost.energy.upload import accept_upload, problem_list, read_request
from solhost.partners.auth import partner_token
from solhost.partners.models import Server

router = Router(tags=["energy"])


class UploadOut(Schema):
    server: str
    format: str
    rows_received: int
    rows_added: int
    rows_already_present: int
    first_start: str | None
    last_end: str | None
    coverage: float


class LineProblemOut(Schema):
    line: int | None
    message: str


def _options(request, text: str) -> tuple[UploadOptions, str]:
    """The upload's options and the export's text, from a JSON body or the query string."""
    if request.content_type != "application/json":
        query = request.GET
        return (
            UploadOptions(
                format=query.get("format", CANONICAL),
                channel=query.get("channel", ""),
                kind=query.get("kind", "power"),
                unit=query.get("unit", "kWh"),
            ),
            text,
        )
    try:
        document = load_json(text)
    except InputProblems as error:
        raise TelemetryError([Problem(0, f"{w}: {m}") for w, m in error.problems]) from None
    if not isinstance(document, dict) or "content" not in document:
        raise TelemetryError(
            [
                Problem(
                    1, 'a JSON body is an object {"format", "channel", "kind", "unit", "content"}'
                )
            ]
        )
    content = document["content"]
    if not isinstance(content, str):
        content = json.dumps(content)
    fields = {k: document[k] for k in ("format", "channel", "kind", "unit") if k in document}
    if not all(isinstance(v, str) for v in fields.values()):
        raise TelemetryError([Problem(0, "format, channel, kind and unit must be text")])
    return UploadOptions(**fields), content


_TEXT_OPTION = {"type": "string", "maxLength": 100}
# The two ways to send a file (see the module's docstring); ``format`` chooses the reader.
BODY_CONTENT = {
    "text/csv": {"schema": {"type": "string"}},
    "application/json": {
        "schema": {
            "type": "object",
            "required": ["content"],
            "properties": {
                "format": {"type": "string", "enum": list(FORMATS), "default": CANONICAL},
                "channel": _TEXT_OPTION,
                "kind": _TEXT_OPTION,
                "unit": _TEXT_OPTION,
                "content": {
                    "description": "the export's text, or for emoncms its [timestamp, value] pairs",
                    "oneOf": [
                        {"type": "string"},
                        {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
                    ],
                },
            },
        }
    },
}


@router.post(
    "/servers/{slug}/telemetry",
    auth=partner_token,
    response={
        201: UploadOut,
        422: list[LineProblemOut],
        **GUARDED,
        **UNAUTHORISED,
        **NOT_FOUND,
    },
    openapi_extra={"requestBody": {"required": True, "content": BODY_CONTENT}},
    summary="Send a server's meter readings",
    description=(
        "Stores the readings of one of your servers. Readings already stored are left as "
        "they are, so sending a file twice adds nothing. A file with any problem stores "
        "nothing; the 422 answer lists every problem with its line (null for the options "
        "and a JSON body's own problems)."
    ),
)
def upload_telemetry(request, slug: str):
    server = get_object_or_404(Server, slug=slug, organisation=request.auth)
    try:
        options, text = _options(request, read_request(request))
        upload = accept_upload(
            server=server,
            text=text,
            options=options,
            actor=None,
            via=TelemetryUpload.Via.API,
            file_name=request.headers.get("X-File-Name", ""),
        )
    except TelemetryError as error:
        return Status(422, problem_list(error))
    return Status(
        201,
        {
            "server": server.slug,
            "format": upload.format,
            "rows_received": upload.rows_received,
            "rows_added": upload.rows_added,
            "rows_already_present": upload.rows_already_present,
            "first_start": upload.first_start.isoformat() if upload.first_start else None,
            "last_end": upload.last_end.isoformat() if upload.last_end else None,
            "coverage": upload.coverage_bp / 10000,
        },
    )
