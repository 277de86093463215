"""What qualification asks the apps above it, so that it never has to know them."""

from django.dispatch import Signal

from solhost.partners.models import Organisation
from solhost.qualification.dossier import WindDownProgress

# Sent with ``organisation`` while its dossier is built, to learn how a wind-down it ran or
# is running went (charter B3.1): a receiver answers a ``WindDownProgress``, or None.
wind_down_progress = Signal()


def wind_down_progress_of(organisation: Organisation) -> WindDownProgress | None:
    """The first ``WindDownProgress`` a receiver of ``wind_down_progress`` gives, or None."""
    answers = wind_down_progress.send(sender=Organisation, organisation=organisation)
    return next((progress for _, progress in answers if progress is not None), None)
