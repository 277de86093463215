from django.contrib import admin

from solhost.contributions.models import (
    ContributionChoice,
    CsvMapping,
    Payment,
    PaymentReference,
    SponsoredSeat,
    StatementLine,
)
from solhost.core.admin import AuditedAdmin, ReadOnlyAdmin


@admin.register(PaymentReference)
class PaymentReferenceAdmin(AuditedAdmin):
    list_display = ("code", "purpose", "resident", "organisation")
    list_filter = ("purpose",)
    search_fields = ("code", "resident__username", "organisation__name")
    readonly_fields = ("code", "purpose", "resident", "organisation", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ContributionChoice)
class ContributionChoiceAdmin(AuditedAdmin):
    list_display = ("resident", "monthly_cents", "chosen_at")
    raw_id_fields = ("resident",)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SponsoredSeat)
class SponsoredSeatAdmin(AuditedAdmin):
    list_display = ("organisation", "resident", "monthly_cents")
    raw_id_fields = ("resident",)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    """Payments are recorded on the steward's payments page, which also posts them to the books."""

    list_display = ("received_on", "reference", "amount_cents", "source", "recorded_by")
    list_filter = ("source",)
    search_fields = ("reference__code",)
    date_hierarchy = "received_on"


@admin.register(CsvMapping)
class CsvMappingAdmin(AuditedAdmin):
    """A bank's CSV layout for a bank without a preset; its name is chosen on import."""

    list_display = ("name", "label", "date_format")


@admin.register(StatementLine)
class StatementLineAdmin(ReadOnlyAdmin):
    """Statement lines come only from imports and are decided on the queue page."""

    list_display = ("booked_on", "amount_cents", "description", "status", "format")
    list_filter = ("status", "format")
    search_fields = ("description", "bank_id")
    date_hierarchy = "booked_on"
