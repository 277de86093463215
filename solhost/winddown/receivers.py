"""What wind-downs do when a lower app tells them something (connected in ``apps.py``)."""

import datetime

from django.db.models import QuerySet

from solhost.partners.models import Service
from solhost.qualification.dossier import WindDownProgress
from solhost.winddown.queries import (
    closed_services,
    full_service_refusal,
    progress_for_charter,
    sign_in_refusal,
)


def refuse_sign_in_when_closing(sender, *, user, service, day: datetime.date, **kwargs):
    """Identity asks before letting a resident into a service: a closing partner's service
    takes no new residents, and a closed one nobody."""
    return sign_in_refusal(user, service, day=day)


def refuse_sign_in_when_full(sender, *, user, service, **kwargs):
    """Identity asks before letting a resident into a service: a service its partner
    marked full lets in only the residents it already has (as a closing one does)."""
    return full_service_refusal(user, service)


def withdraw_closed_services(sender, **kwargs) -> QuerySet[Service]:
    """Partners tells the directory what to list: a partner that has wound down offers
    nothing any more."""
    return closed_services()


def report_wind_down_progress(sender, *, organisation, **kwargs) -> WindDownProgress | None:
    """Qualification asks how the partner's wind-down went, to judge charter B3.1."""
    return progress_for_charter(organisation)
