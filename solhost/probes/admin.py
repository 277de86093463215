from django.contrib import admin

from solhost.core.admin import AuditedAdmin
from solhost.probes.models import Incident, ProbeTarget


class ObservedAdmin(AuditedAdmin):
    """What the checks found, for the steward to read: never typed in or changed by hand.
    Deleting is left to the steward (audited), e.g. incidents of the worker's own outage."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProbeTarget)
class ProbeTargetAdmin(ObservedAdmin):
    list_display = ["service", "kind", "url", "last_checked_at", "last_up", "last_problem"]
    list_filter = ["kind", "last_up"]
    search_fields = ["service__name", "url"]


@admin.register(Incident)
class IncidentAdmin(ObservedAdmin):
    list_display = ["target", "started_at", "ended_at", "partner_notified_at", "problem"]
    list_filter = ["target__kind"]
    date_hierarchy = "started_at"
