"""What partners tells the apps above it, so that it never has to know them."""

from django.db import transaction
from django.dispatch import Signal

from solhost.partners.models import Organisation, Service

# Sent with ``organisation`` and ``change`` (what changed, and who changed it, in words)
# once the transaction that changed one of the partner's records has committed.
partner_records_changed = Signal()

# Sent to learn which services are no longer offered to residents, though their records
# stay (an app above knows, say, that their partner has wound down): each receiver
# answers a set of service ids. The directory and the API's list leave them out.
services_withdrawn = Signal()


def announce_change(*, organisation: Organisation, change: str) -> None:
    """Send ``partner_records_changed`` after the current transaction commits, never before."""
    transaction.on_commit(
        lambda: partner_records_changed.send(
            sender=Organisation, organisation=organisation, change=change
        )
    )


def withdrawn_service_ids() -> set[int]:
    """Every service a receiver of ``services_withdrawn`` says is no longer offered."""
    answers = services_withdrawn.send(sender=Service)
    return set().union(*(ids for _, ids in answers))
