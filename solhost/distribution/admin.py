from django.contrib import admin

from solhost.core.admin import ReadOnlyAdmin
from solhost.distribution.models import PartnerStatement, Payout, PeriodClose, ResidentShare


class ClosedRecordAdmin(ReadOnlyAdmin):
    """A close is final: ``solhost close-period`` writes it, nobody edits it."""


@admin.register(PeriodClose)
class PeriodCloseAdmin(ClosedRecordAdmin):
    list_display = (
        "period",
        "total_in_cents",
        "payout_cents",
        "held_cents",
        "algorithm",
        "closed_at",
    )
    exclude = ("scenario",)


@admin.register(PartnerStatement)
class PartnerStatementAdmin(ClosedRecordAdmin):
    list_display = (
        "close",
        "partner",
        "qualified",
        "gross_cents",
        "land_back_cents",
        "held_cents",
        "payout_cents",
        "carried_cents",
    )
    list_filter = ("close", "partner")


@admin.register(ResidentShare)
class ResidentShareAdmin(ClosedRecordAdmin):
    list_display = ("close", "resident", "paid_cents")
    raw_id_fields = ("resident",)


@admin.register(Payout)
class PayoutAdmin(ClosedRecordAdmin):
    """Payouts are recorded on the payouts page, which posts them to the ledger."""

    list_display = ("paid_on", "partner", "amount_cents", "bank_reference", "recorded_by")
    list_filter = ("partner",)
