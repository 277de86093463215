from django.contrib import admin

from solhost.core.admin import ReadOnlyAdmin
from solhost.ledger.models import Account, Posting, Transaction


class BooksAdmin(ReadOnlyAdmin):
    """The books are written only by their actions; the admin shows them."""


class PostingInline(admin.TabularInline):
    model = Posting
    fields = readonly_fields = ("account", "amount_cents", "memo")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(BooksAdmin):
    list_display = ("code", "name", "kind", "partner")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(Transaction)
class TransactionAdmin(BooksAdmin):
    list_display = ("date", "description", "key", "recorded_by", "reverses")
    date_hierarchy = "date"
    search_fields = ("description", "key")
    inlines = [PostingInline, *BooksAdmin.inlines]
