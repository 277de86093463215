from django.contrib import admin

from solhost.core.admin import ReadOnlyAdmin
from solhost.residents.models import AccountDeletion, AccountExport, DeletionNotice


class ResidentRecordAdmin(ReadOnlyAdmin):
    """Written by residents and by ``solhost delete-due-accounts``; the steward only reads."""


@admin.register(AccountDeletion)
class AccountDeletionAdmin(ResidentRecordAdmin):
    list_display = ("user", "requested_at", "erase_after", "cancelled_at", "erased_at")
    list_filter = ("erased_at", "cancelled_at")
    raw_id_fields = ("user",)


@admin.register(DeletionNotice)
class DeletionNoticeAdmin(ResidentRecordAdmin):
    list_display = ("subject", "organisation", "deleted_at")
    list_filter = ("organisation",)


@admin.register(AccountExport)
class AccountExportAdmin(ResidentRecordAdmin):
    list_display = ("user", "purpose", "requested_at", "ready_at", "expires_at", "size_bytes")
    exclude = ("file_name",)
    raw_id_fields = ("user",)
