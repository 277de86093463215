"""What partners tells the apps above it, so that it never has to know them."""

from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal

from solhost.partners.models import Organisation, Service

# Sent with ``organisation`` and ``change`` (what changed, and who changed it, in words)
# once the transaction that changed one of the partner's records has committed.
partner_records_changed = Signal()

# Sent to learn which services are no longer offered to residents, though their records
# stay (an app above knows, say, that their partner has wound down): each receiver
# answers a query of service ids, not yet run, which becomes a subquery of the page's own
# query. The directory and the API's list leave them out.
services_withdrawn = Signal()


def announce_change(*, organisation: Organisation, change: str) -> None:
    """Send ``partner_records_changed`` after the current transaction commits, never before."""
    transaction.on_commit(
        lambda: partner_records_changed.send(
            sender=Organisation, organisation=organisation, change=change
        )
    )


def withdrawn_services(field: str = "pk") -> Q:
    """Matches every service a receiver of ``services_withdrawn`` says is no longer offered,
    through ``field`` (the service's ``pk``, or ``services__pk`` from a kind or partner)."""
    withdrawn = Q()
    for _, ids in services_withdrawn.send(sender=Service):
        withdrawn |= Q(**{f"{field}__in": ids})
    return withdrawn
