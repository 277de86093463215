"""The qualification badge's data, for one partner or a whole list in one query.

A badge keeps "not yet shown" apart from "not met": a partner that has proof still to send
reads as on its way, never as failing, so sending evidence can only make it look better.
"""

from django.db.models import OuterRef, QuerySet, Subquery

from solhost.partners.models import Organisation
from solhost.qualification.models import QualificationRun

# What a badge reads of the partner's newest run, and the names it annotates them as.
RUN_FIELDS = {
    "qualified_now": "qualified",
    "qualified_on": "at",
    "criteria_shown": "criteria_shown",
    "criteria_not_met": "criteria_not_met",
    "criteria_total": "criteria_total",
}


def with_qualification(organisations: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """Annotate each organisation with its newest run's verdict, day and progress."""
    latest = QualificationRun.objects.filter(organisation=OuterRef("pk")).order_by(
        "-evaluated_at", "-id"
    )
    return organisations.annotate(
        **{name: Subquery(latest.values(field)[:1]) for name, field in RUN_FIELDS.items()}
    )


def badge(organisation: Organisation) -> dict:
    """``state`` is one of:

    - ``qualified``: every criterion is met, in grace or not applicable;
    - ``not_met``: some criterion is not met;
    - ``not_yet_shown``: nothing is failing, but some criterion waits for evidence or data;
    - ``not_evaluated``: never judged.

    With ``on`` (the day judged for) and ``shown``, ``not_met`` and ``total`` criteria.
    Uses the annotations of :func:`with_qualification` when present, else one query.
    """
    if hasattr(organisation, "qualified_now"):
        run = {field: getattr(organisation, name) for name, field in RUN_FIELDS.items()}
    else:
        run = (
            QualificationRun.objects.filter(organisation=organisation)
            .order_by("-evaluated_at", "-id")
            .values(*RUN_FIELDS.values())
            .first()
        ) or dict.fromkeys(RUN_FIELDS.values())
    if run["qualified"] is None:
        state = "not_evaluated"
    elif run["qualified"]:
        state = "qualified"
    else:
        state = "not_met" if run["criteria_not_met"] else "not_yet_shown"
    return {
        "organisation": organisation,
        "state": state,
        "on": run["at"],
        "shown": run["criteria_shown"],
        "not_met": run["criteria_not_met"],
        "total": run["criteria_total"],
    }
