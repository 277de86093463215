"""The steward's pages for the codes and tokens django-oauth-toolkit keeps: its own admin,
made to work at a site (which is why it lives here) and to audit every change.

At a site the codes and tokens sit in the site's store while residents and service clients
are in the region's database, so no list may join them (each row reads its resident and
service on its own there) and searching by them is off. Revoking a token (with its
family) and deleting a code each write an audit event, like every other change the
steward makes (the toolkit lets no one delete an ID token).

django-oauth-toolkit loads these classes by name (the ``*_ADMIN_CLASS`` settings) at the
end of its own admin module, whose classes they extend.
"""

from django.contrib import admin
from oauth2_provider import admin as toolkit

from solhost.core.admin import AuditedAdmin
from solhost.identity import actions
from solhost.sites import config


class _JoinsNothingAtASite:
    def get_list_select_related(self, request):
        # An empty tuple, not False: False lets Django join every relation it displays.
        return () if config.is_replica_site() else super().get_list_select_related(request)

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if config.is_replica_site():
            return tuple(field for field in fields if "__" not in field)
        return fields


def _revoke(model_admin: admin.ModelAdmin, request, queryset) -> None:
    revoked = actions.revoke_tokens_in_admin(tokens=list(queryset), steward=request.user)
    noun = model_admin.model._meta.verbose_name
    model_admin.message_user(request, f"Revoked {revoked} {noun}{'' if revoked == 1 else 's'}.")


class AccessTokenAdmin(_JoinsNothingAtASite, AuditedAdmin, toolkit.AccessTokenAdmin):
    @admin.action(description="Revoke selected access tokens")
    def revoke_tokens(self, request, queryset):
        _revoke(self, request, queryset)


class RefreshTokenAdmin(_JoinsNothingAtASite, AuditedAdmin, toolkit.RefreshTokenAdmin):
    @admin.action(description="Revoke selected refresh tokens")
    def revoke_tokens(self, request, queryset):
        _revoke(self, request, queryset)


class GrantAdmin(_JoinsNothingAtASite, AuditedAdmin, toolkit.GrantAdmin):
    pass


class IDTokenAdmin(_JoinsNothingAtASite, AuditedAdmin, toolkit.IDTokenAdmin):
    pass
