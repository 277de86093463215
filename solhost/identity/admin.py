from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from solhost.core.admin import AuditedAdmin
from solhost.identity.models import User


@admin.register(User)
class RegionUserAdmin(AuditedAdmin, UserAdmin):
    list_display = ("username", "email", "display_name", "is_staff", "is_active", "date_joined")
    readonly_fields = ("sub", "last_login", "date_joined")
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Regional identity", {"fields": ("sub", "display_name")}),
    )
