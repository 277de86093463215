from django.contrib import admin

from solhost.core.admin import AuditedAdmin
from solhost.ledger.models import Account, Posting, Transaction


class ReadOnlyAdmin(AuditedAdmin):
    """The books are written only by their actions; the admin shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PostingInline(admin.TabularInline):
    model = Posting
    fields = readonly_fields = ("account", "amount_cents", "memo")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "partner")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ("date", "description", "key", "recorded_by", "reverses")
    date_hierarchy = "date"
    search_fields = ("description", "key")
    inlines = [PostingInline, *AuditedAdmin.inlines]
