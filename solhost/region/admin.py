from django.conf import settings
from django.contrib import admin

from solhost.core.admin import AuditedAdmin
from solhost.region.models import Region


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ("name", "slug", "domain")
    prepopulated_fields = {"slug": ("name",)}

    def has_delete_permission(self, request, obj=None):
        # The region this installation serves (SOLHOST_REGION) is what every page and
        # report is about; without it they would all be gone. Nor is it in a bulk delete.
        if obj is None or obj.slug == settings.SOLHOST_REGION:
            return False
        return super().has_delete_permission(request, obj)
