"""What partners tells the apps above it, so that it never has to know them."""

from django.db import transaction
from django.dispatch import Signal

from solhost.partners.models import Organisation

# Sent with ``organisation`` and ``change`` (what changed, and who changed it, in words)
# once the transaction that changed one of the partner's records has committed.
partner_records_changed = Signal()


def announce_change(*, organisation: Organisation, change: str) -> None:
    """Send ``partner_records_changed`` after the current transaction commits, never before."""
    transaction.on_commit(
        lambda: partner_records_changed.send(
            sender=Organisation, organisation=organisation, change=change
        )
    )
