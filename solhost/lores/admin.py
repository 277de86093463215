from django.contrib import admin

from solhost.core.admin import AuditedAdmin
from solhost.lores.models import ServerNodeClaim


@admin.register(ServerNodeClaim)
class ServerNodeClaimAdmin(AuditedAdmin):
    """Where the steward records which LoRes node a server is, as its partner said."""

    list_display = ["server", "node_id", "claimed_by"]
    search_fields = ["node_id", "server__name"]
