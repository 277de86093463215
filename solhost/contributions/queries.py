"""Reading contributions: the suggested amounts in force, a resident's current choice and
their payment reference."""

import datetime

from solhost.contributions.models import ContributionChoice, PaymentReference, StatementLine
from solhost.core.models import parameter_value
from solhost.identity.models import User


def tiers_cents(*, at: datetime.date) -> list[int]:
    """The suggested monthly contributions in force, in cents, always starting with 0."""
    listed = parameter_value("contribution_tiers_cents", at=at)
    return sorted({0, *(int(tier) for tier in listed)})


def current_choice(resident: User) -> ContributionChoice | None:
    return resident.contribution_choices.first()


def reference_of(resident: User) -> PaymentReference | None:
    """The resident's payment reference; None until saving a pledge or a contribution makes
    one (reading never does: pages must open on a read-only site)."""
    return PaymentReference.objects.filter(resident=resident).first()


def statement_debits():
    """Money out of the steward's account as the bank statements show it, oldest first, for
    reconciling payouts: each line has ``booked_on``, ``amount_cents`` (negative),
    ``description`` and ``bank_id``."""
    return StatementLine.objects.filter(status=StatementLine.Status.DEBIT)
