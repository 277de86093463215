"""The emails of a wind-down, one for each step that changes what someone must do.

Each is queued by the action that takes the step, inside its transaction, and sent after
the commit; a step happens once per case, so each email goes out once.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings

from solhost.qualification.actions.mail import mail_after_commit
from solhost.qualification.queries import partner_admin_emails
from solhost.winddown.models import Case, WindDown


def announce(wind_down: WindDown, *, cases: Iterable[Case] | None = None) -> None:
    """Tell each resident of ``cases`` (every case of the wind-down if None) which of
    their services close, when, and where to choose."""
    if cases is None:
        cases = wind_down.cases.select_related("resident", "service")
    by_resident = defaultdict(list)
    for case in cases:
        by_resident[case.resident].append(case.service)
    for resident, services in by_resident.items():
        mail_after_commit(
            subject=f"{wind_down.organisation.name} is closing: choose what happens to your data",
            template="winddown/email/announced.txt",
            context=_context(wind_down, services=services),
            to=[resident.email],
        )


def move_requested(case: Case) -> None:
    """Ask the receiving partner's admins to accept the resident."""
    organisation = case.move_to.organisation
    mail_after_commit(
        subject=f"A resident of a closing co-op asks to move to {case.move_to.name}",
        template="winddown/email/move_requested.txt",
        context=_context(case.wind_down, case=case, organisation=organisation),
        to=partner_admin_emails(organisation),
    )


def moved(case: Case) -> None:
    mail_after_commit(
        subject=f"{case.move_to.organisation.name} will take you in",
        template="winddown/email/moved.txt",
        context=_context(case.wind_down, case=case),
        to=[case.resident.email],
    )


def exported(case: Case) -> None:
    mail_after_commit(
        subject=f"Your data from {case.service.name} has been returned",
        template="winddown/email/exported.txt",
        context=_context(case.wind_down, case=case),
        to=[case.resident.email],
    )


def _context(wind_down: WindDown, **extra) -> dict:
    return {"wind_down": wind_down, "base_url": settings.BASE_URL, **extra}
