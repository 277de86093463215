"""Scheduled jobs; each is also a command (``solhost qualify``, ``solhost evidence-expiry``)."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from solhost.partners.models import Organisation
from solhost.qualification.actions.evaluation import evaluate_all, evaluate_partner
from solhost.qualification.actions.evidence import send_expiry_notices


@db_periodic_task(crontab(hour="2", minute="15"))
def qualify_nightly() -> None:
    # Evidence expires and grace windows end by the calendar alone, with nobody editing anything.
    evaluate_all(at=timezone.localdate(), trigger="nightly evaluation")


@db_periodic_task(crontab(hour="7", minute="30"))
def evidence_expiry_nightly() -> None:
    send_expiry_notices(today=timezone.localdate())


@db_task()
def evaluate_partner_soon(organisation_id: int, trigger: str) -> None:
    """Re-judge one partner after its records changed, outside the request that changed them."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is not None:
        evaluate_partner(organisation=organisation, at=timezone.localdate(), trigger=trigger)
