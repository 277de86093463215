from django.contrib import admin

from solhost.core.admin import AuditedAdmin
from solhost.energy.models import PowerSystem


@admin.register(PowerSystem)
class PowerSystemAdmin(AuditedAdmin):
    list_display = ("server", "pv_kwp", "battery_nominal_wh", "essential_load_w", "grid_connected")
    search_fields = ("server__name", "server__slug")
