"""Judging partners against the charter and keeping each verdict as a run."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.partners.models import Organisation
from solhost.qualification.actions.mail import mail_after_commit
from solhost.qualification.gather import build_snapshot, parameters_at
from solhost.qualification.models import CriterionResult, QualificationRun
from solhost.qualification.queries import partner_admin_emails
from solhost.qualification.rules import (
    CRITERIA_VERSION,
    QUALIFYING,
    evaluate,
    progress,
    qualified,
)
from solhost.qualification.run_changes import outcome_changes


def evaluate_partner(
    *, organisation: Organisation, at: datetime.date, trigger: str
) -> QualificationRun:
    """Judge the partner against every criterion on day ``at`` and keep the result.

    The run records the criteria version, the parameter values in force, every outcome and
    which outcomes changed since the previous run; partner admins are emailed when the
    verdict (qualified or not) changes. Not durable: every change to what the checks read
    calls it inside its own transaction.
    """
    params = parameters_at(at)
    outcomes = evaluate(build_snapshot(organisation, at=at), params, at)
    verdict = qualified(outcomes)
    shown = progress((o.criterion, o.status) for o in outcomes)
    with transaction.atomic():
        previous = (
            QualificationRun.objects.select_for_update()
            .filter(organisation=organisation)
            .order_by("-evaluated_at", "-id")
            .first()
        )
        before = {}
        if previous is not None:
            before = {(r.criterion, r.subject): r.status for r in previous.results.all()}
        changes = outcome_changes(before, outcomes)
        run = QualificationRun.objects.create(
            organisation=organisation,
            at=at,
            trigger=trigger[:200],
            criteria_version=CRITERIA_VERSION,
            parameters=params,
            qualified=verdict,
            previous_qualified=None if previous is None else previous.qualified,
            changes=changes,
            criteria_shown=shown.shown,
            criteria_not_met=shown.not_met,
            criteria_total=shown.total,
        )
        CriterionResult.objects.bulk_create(
            CriterionResult(
                run=run,
                position=i,
                criterion=o.criterion,
                subject=o.subject,
                status=o.status,
                reason=o.reason,
            )
            for i, o in enumerate(outcomes)
        )
        audit.record(
            actor=None,
            action=AuditAction.QUALIFICATION_RUN,
            obj=run,
            after={"qualified": verdict, "changes": len(changes)},
            note=trigger[:200],
        )
        if run.status_changed:
            mail_after_commit(
                subject=f"{organisation.name} is {'now qualified' if verdict else 'no longer qualified'}",
                template="qualification/email/status_changed.txt",
                context={
                    "organisation": organisation,
                    "run": run,
                    "failing": [o for o in outcomes if o.status not in QUALIFYING],
                    "base_url": settings.BASE_URL,
                },
                to=partner_admin_emails(organisation),
            )
    return run


def evaluate_all(
    *, at: datetime.date, trigger: str, slugs: Iterable[str] = ()
) -> list[QualificationRun]:
    """Evaluate every partner (or those named in ``slugs``), each in its own transaction."""
    partners = Organisation.objects.filter(kind=Organisation.Kind.PARTNER).order_by("slug")
    if slugs:
        partners = partners.filter(slug__in=list(slugs))
    return [evaluate_partner(organisation=p, at=at, trigger=trigger) for p in partners]
