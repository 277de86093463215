from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from solhost.core.admin import AuditedAdmin
from solhost.qualification.actions.applications import approve_application
from solhost.qualification.dossier import DossierError
from solhost.qualification.models import (
    Application,
    CloudRangeList,
    CriterionResult,
    Declarations,
    Evidence,
    EvidenceComment,
    FinancialYear,
    QualificationRun,
)


@admin.register(Declarations)
class DeclarationsAdmin(AuditedAdmin):
    list_display = ("organisation", "run_by", "land_back_withheld_by_platform")
    search_fields = ("organisation__name",)
    autocomplete_fields = ("organisation",)
    filter_horizontal = ("lores_recommended",)


@admin.register(FinancialYear)
class FinancialYearAdmin(AuditedAdmin):
    list_display = (
        "organisation",
        "ends",
        "gross_revenue_cents",
        "surplus_cents",
        "land_back_cents",
    )
    list_filter = ("ends",)
    search_fields = ("organisation__name",)


@admin.register(Evidence)
class EvidenceAdmin(AuditedAdmin):
    list_display = ("title", "organisation", "criterion", "state", "public", "valid_until")
    list_filter = ("state", "criterion", "public")
    search_fields = ("title", "organisation__name")
    readonly_fields = (
        "file",
        "content_type",
        "size_bytes",
        "original_name",
        "submitted_at",
        "reviewed_at",
    )


@admin.register(EvidenceComment)
class EvidenceCommentAdmin(AuditedAdmin):
    list_display = ("evidence", "decision", "author", "at")
    list_filter = ("decision",)
    # When a review step happened is a record, not an opinion.
    readonly_fields = ("at",)


@admin.register(Application)
class ApplicationAdmin(AuditedAdmin):
    list_display = ("name", "slug", "state", "submitted_at", "organisation")
    list_filter = ("state",)
    search_fields = ("name", "slug")
    # Decisions go through the approve action (or the review queue), which creates the
    # partner and its admin; editing the state here would skip that.
    readonly_fields = ("state", "submitted_at", "reviewed_by", "reviewed_at", "organisation")
    actions = ["approve"]

    @admin.action(description="Approve: create or update the live partner")
    def approve(self, request, queryset):
        for application in queryset:
            try:
                approve_application(application=application, reviewer=request.user)
            except (ValidationError, DossierError) as error:
                self.message_user(request, f"{application}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"{application}: approved")


class CriterionResultInline(admin.TabularInline):
    model = CriterionResult
    extra = 0
    can_delete = False
    fields = readonly_fields = ("criterion", "subject", "status", "reason")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(QualificationRun)
class QualificationRunAdmin(AuditedAdmin):
    list_display = (
        "organisation",
        "at",
        "evaluated_at",
        "qualified",
        "trigger",
        "criteria_version",
    )
    list_filter = ("qualified", "criteria_version")
    search_fields = ("organisation__name", "trigger")
    inlines = [CriterionResultInline, *AuditedAdmin.inlines]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CriterionResult)
class CriterionResultAdmin(AuditedAdmin):
    list_display = ("run", "criterion", "subject", "status")
    list_filter = ("status", "criterion")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CloudRangeList)
class CloudRangeListAdmin(AuditedAdmin):
    list_display = ("provider", "company", "count", "source_name", "imported_at")
    readonly_fields = ("networks", "imported_at")
