from django.contrib import admin

from solhost.core.admin import AuditedAdmin
from solhost.partners.actions import revoke_api_token
from solhost.partners.models import (
    EXIT_FIELDS,
    ApiToken,
    Membership,
    Organisation,
    Server,
    Service,
    ServiceKind,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ("name", "kind", "legal_form", "locality")
    list_filter = ("kind", "legal_form")
    search_fields = ("name", "slug", "summary")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline, *AuditedAdmin.inlines]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("user", "organisation", "role")
    list_filter = ("role", "organisation")
    autocomplete_fields = ["user"]


@admin.register(ServiceKind)
class ServiceKindAdmin(AuditedAdmin):
    list_display = ("name", "slug", "lores_covered", "search_words")
    search_fields = ("name", "slug", "search_words")
    # The exit fields are what a new service of the kind starts with.
    fields = ("name", "slug", "description", "search_words", "lores_covered", *EXIT_FIELDS)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Server)
class ServerAdmin(AuditedAdmin):
    list_display = (
        "name",
        "organisation",
        "role",
        "locality",
        "hosting_company",
        "operation_started",
    )
    list_filter = ("role", "organisation")
    search_fields = ("name", "slug", "hosting_company")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Service)
class ServiceAdmin(AuditedAdmin):
    list_display = ("name", "organisation", "kind", "software", "licence", "audience")
    list_filter = ("kind", "audience", "organisation")
    search_fields = ("name", "slug", "software")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("servers",)


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    """Tokens are made by partners or the api-token command; here the steward can only revoke."""

    list_display = ("name", "organisation", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("organisation",)
    fields = readonly_fields = (
        "organisation",
        "name",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    )
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            revoke_api_token(token=token, actor=request.user)
        self.message_user(request, "Revoked the selected tokens.")
