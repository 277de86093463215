"""``POST /api/v1/usage``: partners report what residents did on their services."""

import json

from django.core.exceptions import RequestDataTooBig
from ninja import Router
from ninja.responses import Status

from solhost.metering.actions import MAX_BATCH, PeriodClosedDuringBatch, record_usage_batch
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


def _refuse(status: int, where: str, message: str):
    return Status(status, {"problems": [{"where": where, "message": message}]})


@router.post(
    "/usage",
    auth=partner_token,
    response={200: dict, 400: dict, 409: dict, 413: dict},
    summary="Report a batch of usage events",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"example": BODY_EXAMPLE}},
        }
    },
)
def report_usage(request):
    """Store up to 1,000 events; say which were accepted, duplicates, or rejected and why.

    ``id`` is your idempotency key: sending an event again (in the same batch or later)
    changes nothing and lists it under ``duplicates``. Each bad event is rejected alone
    with the field at fault; the rest of the batch is stored. Usage for a month is accepted
    until its grace after the month's end; after that the period is closed.
    """
    try:
        document = json.loads(request.body)
    except RequestDataTooBig:
        return _refuse(413, "body", f"the batch is too large: send at most {MAX_BATCH} events")
    except (ValueError, UnicodeDecodeError) as error:
        return _refuse(400, "body", f"is not JSON: {error}")
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
    try:
        return Status(200, record_usage_batch(partner=request.auth, events=events).as_dict())
    except PeriodClosedDuringBatch as error:
        return _refuse(409, "events", str(error))
