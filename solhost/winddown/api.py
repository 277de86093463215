"""``/api/v1/wind-down/…``: a closing partner's tools list its cases and mark exports done."""

from django.core.exceptions import ValidationError
from ninja import Router, Schema
from ninja.responses import Status

from solhost.core.api import GUARDED, NOT_FOUND, UNAUTHORISED, ProblemsOut, problems
from solhost.core.problems import InputProblems
from solhost.core.safe_json import LARGEST_KEY, load_json
from solhost.partners.auth import partner_token
from solhost.winddown.actions import mark_exported
from solhost.winddown.models import WindDown

router = Router(tags=["wind-down"])
NO_WIND_DOWN = "Your organisation is not winding down."


class CaseOut(Schema):
    id: int
    service: str
    resident_email: str
    state: str


BODY_SCHEMA = {
    "type": "object",
    "required": ["cases"],
    "additionalProperties": False,
    "properties": {
        "cases": {
            "type": "array",
            "items": {"type": "integer", "minimum": 1, "maximum": LARGEST_KEY},
        }
    },
}


class ExportsOut(Schema):
    exported: int


def _case_numbers(sent: object) -> list[int] | None:
    """The case numbers sent, or None if ``sent`` is not a list of them. JSON has one
    number type, so 12.0 is case 12."""
    if not isinstance(sent, list):
        return None
    numbers = []
    for value in sent:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= LARGEST_KEY:
            return None
        numbers.append(value)
    return numbers


def _wind_down(request) -> WindDown | None:
    return WindDown.objects.filter(organisation=request.auth).first()


@router.get(
    "/wind-down/cases",
    auth=partner_token,
    response={200: list[CaseOut], **GUARDED, **UNAUTHORISED, **NOT_FOUND},
    summary="Your wind-down's cases",
)
def cases(request):
    """One case per resident and service of yours: ``state`` is ``notified``,
    ``move_requested``, ``exported``, ``moved``, ``declined`` or ``no_response``. Return the
    data of each ``notified`` resident, then mark the case exported."""
    wind_down = _wind_down(request)
    if wind_down is None:
        return Status(404, {"detail": NO_WIND_DOWN})
    return [
        {
            "id": c.pk,
            "service": c.service.slug,
            "resident_email": c.resident.email,
            "state": c.state,
        }
        for c in wind_down.cases.select_related("service", "resident")
    ]


@router.post(
    "/wind-down/exports",
    auth=partner_token,
    response={
        200: ExportsOut,
        409: ProblemsOut,
        **GUARDED,
        **UNAUTHORISED,
        **NOT_FOUND,
    },
    summary="Mark cases whose data you returned",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": BODY_SCHEMA, "example": {"cases": [12, 13]}}
            },
        }
    },
)
def exports(request):
    """Mark the listed cases as data returned, all or none: a case that is not yours or
    not waiting for its data (``notified`` or ``no_response``) refuses the batch (409)
    with each case named, and nothing changes; so does a wind-down already complete.
    Sending a case again is refused likewise. A body that is not ``{"cases": [...]}``
    with case numbers is a 400."""
    try:
        document = load_json(request.body, where="body")
    except InputProblems as error:
        return Status(400, problems(error.problems))
    sent = document.get("cases") if isinstance(document, dict) else None
    case_ids = _case_numbers(sent)
    if case_ids is None:
        return Status(400, problems([("cases", 'send {"cases": [...]} with case numbers')]))
    wind_down = _wind_down(request)
    if wind_down is None:
        return Status(404, {"detail": NO_WIND_DOWN})
    try:
        count = mark_exported(
            wind_down=wind_down, case_ids=case_ids, actor=None, partner=request.auth
        )
    except InputProblems as error:
        return Status(409, problems(error.problems))
    except ValidationError as error:
        return Status(409, problems([("wind_down", message) for message in error.messages]))
    return {"exported": count}
