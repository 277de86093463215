"""``GET /api/v1/partners/{slug}/qualification``: a partner's latest report, as ``rules.report`` shapes it."""

from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.errors import HttpError

from solhost.partners.models import Organisation
from solhost.qualification.queries import latest_run

router = Router(tags=["qualification"])


@router.get("partners/{slug}/qualification", summary="A partner's qualification report")
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
