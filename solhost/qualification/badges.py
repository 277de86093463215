"""The qualification badge's data, for one partner or a whole list in one query."""

from django.db.models import OuterRef, QuerySet, Subquery

from solhost.partners.models import Organisation
from solhost.qualification.models import QualificationRun


def with_qualification(organisations: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """Annotate each organisation with its latest verdict (``qualified_now``) and day (``qualified_on``)."""
    latest = QualificationRun.objects.filter(organisation=OuterRef("pk")).order_by(
        "-evaluated_at", "-id"
    )
    return organisations.annotate(
        qualified_now=Subquery(latest.values("qualified")[:1]),
        qualified_on=Subquery(latest.values("at")[:1]),
    )


def badge(organisation: Organisation) -> dict:
    """``state`` is qualified, not_qualified or not_evaluated; uses the annotations when present."""
    if hasattr(organisation, "qualified_now"):
        verdict, day = organisation.qualified_now, organisation.qualified_on
    else:
        run = (
            QualificationRun.objects.filter(organisation=organisation)
            .order_by("-evaluated_at", "-id")
            .values("qualified", "at")
            .first()
        )
        verdict, day = (run["qualified"], run["at"]) if run else (None, None)
    state = "not_evaluated" if verdict is None else "qualified" if verdict else "not_qualified"
    return {"organisation": organisation, "state": state, "on": day}
