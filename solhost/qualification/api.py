"""``GET /api/v1/partners/{slug}/qualification``: a partner's latest report, as ``rules.report`` shapes it."""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from solhost.core.api import GUARDED, NOT_FOUND
from solhost.partners.models import Organisation
from solhost.qualification.queries import latest_run

router = Router(tags=["qualification"])


class OutcomeOut(Schema):
    criterion: str
    subject: str
    status: str
    reason: str


class QualificationOut(Schema):
    criteria_version: str
    qualified: bool
    outcomes: list[OutcomeOut]
    parameters: dict
    at: str
    evaluated_at: str


@router.get(
    "partners/{slug}/qualification",
    response={200: QualificationOut, **GUARDED, **NOT_FOUND},
    summary="A partner's qualification report",
)
def partner_qualification(request, slug: str) -> dict:
    """Every criterion's status and reason for the partner, from its latest evaluation.

    ``criteria_version``, ``qualified`` and ``outcomes`` (criterion, subject, status, reason)
    and ``parameters`` (the values in force) as in ``solhost assess --format json``, plus
    ``at`` (the day judged) and ``evaluated_at`` (when).
    """
    organisation = get_object_or_404(Organisation, slug=slug, kind=Organisation.Kind.PARTNER)
    run = latest_run(organisation)
    if run is None:
        raise HttpError(404, f"{organisation.name} has not been evaluated yet.")
    return {
        "criteria_version": run.criteria_version,
        "qualified": run.qualified,
        "outcomes": [
            {"criterion": r.criterion, "subject": r.subject, "status": r.status, "reason": r.reason}
            for r in run.results.all()
        ],
        "parameters": run.parameters,
        "at": run.at.isoformat(),
        "evaluated_at": run.evaluated_at.isoformat(),
    }
