"""``POST /api/v1/usage``: partners report what residents did on their services."""

from django.core.exceptions import RequestDataTooBig
from ninja import Router, Schema
from ninja.responses import Status

from solhost.core.api import GUARDED, UNAUTHORISED, ProblemOut, problems
from solhost.core.problems import InputProblems
from solhost.core.safe_json import load_json
from solhost.metering.actions import MAX_BATCH, record_usage_batch
from solhost.metering.events import MAX_KEY_LENGTH, MAX_KIND_LENGTH
from solhost.partners.auth import partner_token

router = Router(tags=["metering"])

BODY_EXAMPLE = {
    "events": [
        {
            "id": "nc-2026-10-03-000123",
            "resident": "6f1d0c1e-8a52-4f0e-9a51-0c3e2b7d9a10",
            "service": "mcc-files",
            "kind": "file_upload",
            "quantity": 1,
            "occurred_at": "2026-10-03T09:15:00+10:00",
        }
    ]
}

# The batch's shape. An event is not constrained here on purpose: each event is
# checked alone (metering.events) and a bad one is listed under "rejected" in the 200
# answer, while the rest of the batch is stored.
BODY_SCHEMA = {
    "type": "object",
    "required": ["events"],
    "properties": {
        "events": {
            "type": "array",
            "description": f"at most {MAX_BATCH} events (more is a 413)",
            "items": {
                "description": "an object: id (your idempotency key, at most "
                f"{MAX_KEY_LENGTH} characters), resident (the OIDC subject your service "
                "received), service (slug), "
                f"kind (at most {MAX_KIND_LENGTH} characters), quantity (whole number, "
                "default 1), occurred_at (ISO 8601 with offset)",
            },
        }
    },
}


class CountsOut(Schema):
    accepted: int
    duplicates: int
    rejected: int


class RejectionOut(Schema):
    index: int
    id: object = None  # the event's id as sent, whatever its type
    problems: list[ProblemOut]


class BatchOut(Schema):
    counts: CountsOut
    accepted: list[str]
    duplicates: list[str]
    rejected: list[RejectionOut]


def _refuse(status: int, where: str, message: str):
    return Status(status, problems([(where, message)]))


@router.post(
    "/usage",
    auth=partner_token,
    response={200: BatchOut, **GUARDED, **UNAUTHORISED},
    summary="Report a batch of usage events",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": BODY_SCHEMA, "example": BODY_EXAMPLE}},
        }
    },
)
def report_usage(request):
    """Store up to 1,000 events; say which were accepted, duplicates, or rejected and why.

    ``id`` is your idempotency key: sending an event again (in the same batch or later)
    changes nothing and lists it under ``duplicates``. Each bad event is rejected alone
    with the field at fault; the rest of the batch is stored. Usage for a month is accepted
    until its grace after the month's end; after that the period is closed. A batch sent
    while a month is being closed waits for the close, then its events for that month are
    rejected one by one and the rest are stored, as for any closed month. A body that is
    not a JSON object with a list of events is refused whole (400), as is a batch of more
    than 1,000 events or a body over the size limit (413).
    """
    try:
        # Text is checked per event, so one bad event does not lose its batch.
        document = load_json(request.body, where="body", check_text=False)
    except RequestDataTooBig:
        return _refuse(413, "body", f"the batch is too large: send at most {MAX_BATCH} events")
    except InputProblems as error:
        return Status(400, problems(error.problems))
    if not isinstance(document, dict) or not isinstance(document.get("events"), list):
        return _refuse(400, "body", 'must be an object {"events": [...]} with a list of events')
    events = document["events"]
    if len(events) > MAX_BATCH:
        return _refuse(
            413,
            "events",
            f"a batch holds at most {MAX_BATCH} events; this one has {len(events)}. "
            "Nothing was stored: split it and send each part.",
        )
    return Status(200, record_usage_batch(partner=request.auth, events=events).as_dict())
