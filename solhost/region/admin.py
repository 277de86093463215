from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote

from solhost.core.admin import AuditedAdmin, deletion_refused
from solhost.region.models import Region

SERVED = (
    "This is the region this installation serves: every page and report is about it, so "
    "it can't be deleted, and its slug (the installation's SOLHOST_REGION) can't change."
)


def _served(region: Region | None) -> bool:
    return region is not None and region.slug == settings.SOLHOST_REGION


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ("name", "slug", "domain")
    # In the model's order, so the slug keeps its place when it is read-only.
    fields = ("name", "slug", "domain", "tagline", "description", "boundary", "projected_crs")
    prepopulated_fields = {"slug": ("name",)}

    def has_delete_permission(self, request, obj=None):
        # The region this installation serves (SOLHOST_REGION) is what every page and
        # report is about; without it they would all be gone. Nor is it in a bulk delete.
        if obj is None or _served(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # A new slug would leave SOLHOST_REGION naming no region: the same as deleting it.
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "slug") if _served(obj) else readonly

    def get_prepopulated_fields(self, request, obj=None):
        return {} if _served(obj) else super().get_prepopulated_fields(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not _served(obj):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "description": SERVED}), *rest]

    def delete_view(self, request, object_id, extra_context=None):
        region = self.get_object(request, unquote(object_id))
        if _served(region):
            return deletion_refused(self, request, region, SERVED)
        return super().delete_view(request, object_id, extra_context)
