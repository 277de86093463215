from django.contrib import admin

from solhost.core.admin import AuditedAdmin
from solhost.region.models import Region


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ("name", "slug", "domain")
    prepopulated_fields = {"slug": ("name",)}
