from django.contrib import admin

from solhost.core.admin import AuditedAdmin
from solhost.governance.models import NoticeSent, Proposal, ProposedChange, Vote


@admin.register(Proposal)
class ProposalAdmin(AuditedAdmin):
    list_display = ("pk", "title", "decision_type", "status", "raised_by", "closes_at")
    list_filter = ("status", "decision_type")
    search_fields = ("title",)
    readonly_fields = ("created_at", "passed", "explanation", "adopted_value")
    filter_horizontal = ("electorate",)


@admin.register(ProposedChange)
class ProposedChangeAdmin(AuditedAdmin):
    list_display = ("proposal", "parameter", "new_value")
    list_select_related = ("proposal", "parameter")


@admin.register(Vote)
class VoteAdmin(AuditedAdmin):
    list_display = ("proposal", "organisation", "choice", "value", "cast_by", "cast_at")
    list_filter = ("choice",)
    list_select_related = ("proposal", "organisation", "cast_by")


@admin.register(NoticeSent)
class NoticeSentAdmin(AuditedAdmin):
    list_display = ("proposal", "kind", "recipients", "sent_at")
    list_filter = ("kind",)
