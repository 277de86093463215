from django.contrib import admin

from solhost.core.admin import AuditedAdmin
from solhost.energy.models import EnergyAnalysis, PowerSystem, TelemetryReading, TelemetryUpload


@admin.register(PowerSystem)
class PowerSystemAdmin(AuditedAdmin):
    list_display = ("server", "pv_kwp", "battery_nominal_wh", "essential_load_w", "grid_connected")
    search_fields = ("server__name", "server__slug")


class ReadOnlyAdmin(AuditedAdmin):
    """Records written only by uploads and the analysis: the steward looks, never edits."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TelemetryReading)
class TelemetryReadingAdmin(ReadOnlyAdmin):
    list_display = ("server", "channel", "started", "interval_s", "energy_wh")
    list_filter = ("channel",)
    search_fields = ("server__slug",)
    list_select_related = ("server",)
    # Counting a year of 5-minute readings on every page load is slow; the count is not needed.
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TelemetryUpload)
class TelemetryUploadAdmin(ReadOnlyAdmin):
    list_display = (
        "uploaded_at",
        "server",
        "format",
        "via",
        "uploaded_by",
        "rows_added",
        "rows_already_present",
    )
    list_filter = ("format", "via")
    search_fields = ("server__slug", "file_name")
    date_hierarchy = "uploaded_at"


@admin.register(EnergyAnalysis)
class EnergyAnalysisAdmin(ReadOnlyAdmin):
    list_display = (
        "server",
        "as_of",
        "renewable_share_bp",
        "s2_1_status",
        "s2_2_status",
        "s3_status",
    )
    list_filter = ("s2_1_status", "s2_2_status", "s3_status")
    search_fields = ("server__slug",)
    date_hierarchy = "as_of"
