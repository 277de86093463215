from django.contrib import admin

from solhost.core.admin import ReadOnlyAdmin
from solhost.metering.models import FrozenPeriod, UsageEvent


@admin.register(UsageEvent)
class UsageEventAdmin(ReadOnlyAdmin):
    """Events are the partners' reports: the steward reads them and never edits them."""

    list_display = ("day", "partner", "service", "kind", "quantity", "received_at")
    list_filter = ("partner", "kind")
    date_hierarchy = "day"
    raw_id_fields = ("resident",)


@admin.register(FrozenPeriod)
class FrozenPeriodAdmin(UsageEventAdmin):
    list_display = ("period", "frozen_at")
    list_filter = ()
    date_hierarchy = None
    raw_id_fields = ()
