from django.contrib import admin

from solhost.core.admin import AuditedAdmin
from solhost.winddown.models import Case, HandoverOffer, HandoverRequest, WindDown


class ReadOnlyAdmin(AuditedAdmin):
    """The steward reads wind-downs here; every change goes through the wind-down pages,
    whose actions check the dates and states and record each step."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WindDown)
class WindDownAdmin(ReadOnlyAdmin):
    list_display = (
        "organisation",
        "announced_on",
        "data_return_deadline",
        "shutdown_on",
        "completed_at",
    )


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("resident", "service", "state", "move_to", "changed_at", "closed_at")
    list_filter = ("wind_down__organisation", "state")
    raw_id_fields = ("resident",)


@admin.register(HandoverOffer)
class HandoverOfferAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "wind_down", "handed_to", "handed_over_at")


@admin.register(HandoverRequest)
class HandoverRequestAdmin(ReadOnlyAdmin):
    list_display = ("offer", "organisation", "asked_at")
