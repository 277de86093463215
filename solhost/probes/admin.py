from django.contrib import admin

from solhost.probes.models import Incident, ProbeTarget


@admin.register(ProbeTarget)
class ProbeTargetAdmin(admin.ModelAdmin):
    """Read-only: targets follow the services' declared addresses, and checks fill them in."""

    list_display = ["service", "kind", "url", "last_checked_at", "last_up", "last_problem"]
    list_filter = ["kind", "last_up"]
    search_fields = ["service__name", "url"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    """Read-only: incidents are what the checks found."""

    list_display = ["target", "started_at", "ended_at", "partner_notified_at", "problem"]
    list_filter = ["target__kind"]
    date_hierarchy = "started_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
