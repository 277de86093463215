from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect

from solhost.core import audit
from solhost.core.admin import AuditedAdmin, ReadOnlyAdmin, deletion_refused
from solhost.identity import account_journal
from solhost.identity import actions as identity_actions
from solhost.identity.databases import joinable
from solhost.identity.models import CredentialRenewal, LogoutDelivery, ServiceClient, User
from solhost.identity.sessions import current_signed_in_session

ERASED_NOT_DELETED = (
    "Accounts are not deleted here. A resident closes their account on their Delete "
    "account page: after the waiting period they are sent their data, every service "
    "they signed in to is told, and their records are anonymised rather than lost."
)


@admin.register(User)
class RegionUserAdmin(AuditedAdmin, UserAdmin):
    list_display = ("username", "email", "display_name", "is_staff", "is_active", "date_joined")
    readonly_fields = ("sub", "last_login", "date_joined")
    fieldsets = (
        *UserAdmin.fieldsets,
        (
            "Regional identity",
            {"fields": ("sub", "display_name"), "description": ERASED_NOT_DELETED},
        ),
    )

    def has_delete_permission(self, request, obj=None):
        # Deleting the row would skip what closing an account owes the resident and the
        # services (residents.actions.erase_account), or fail on the records it protects.
        return False

    def delete_view(self, request, object_id, extra_context=None):
        user = self.get_object(request, unquote(object_id))
        return deletion_refused(self, request, user, ERASED_NOT_DELETED)

    def user_change_password(self, request, id, form_url=""):
        # A password set by the steward ends the resident's sessions as a change of their
        # own does (signals._on_new_password), services told: Django would only refuse
        # those sessions on their next request, and no service would hear of it. A steward
        # setting their own keeps the browser they did it in.
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = self.get_object(request, unquote(id))
                keep = current_signed_in_session(request) if user == request.user else None
                ended = identity_actions.end_sessions_for_new_password(
                    user=user, keep_session_key=keep.session_key if keep is not None else None
                )
                self.message_user(
                    request,
                    f"{ended} browser sessions of {user} ended; each service they signed in "
                    "to through them was told.",
                )
                audit.record(
                    actor=request.user,
                    action=audit.admin_action(User, "set_password"),
                    obj=user,
                    note="password set by the steward",
                )
        return response

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            # As it was before this save (AuditedAdmin read it for the audit trail).
            before = getattr(obj, "_audit_before", None)
            if before is not None and before["is_active"] and not obj.is_active:
                # Django would only refuse the account's sessions on their next request,
                # and the services it signed in to would go on as if nothing happened.
                revoked = identity_actions.end_access_of_deactivated_account(user=obj)
                self.message_user(
                    request,
                    f"{obj} is signed out everywhere: {revoked} tokens revoked, and every "
                    "service that held any was told.",
                )
            elif before is not None and not before["is_active"] and obj.is_active:
                # A restore from an older archive must not deactivate the account again.
                account_journal.keep(change=account_journal.Change.REACTIVATED, resident_id=obj.pk)
            # allauth keeps a row per address and makes a missing one on the next page the
            # resident opens (their email page does, on every request): a write no page may
            # make, least of all at a site cut off from the primary. Made here, as allauth
            # would make it.
            if obj.email and not EmailAddress.objects.filter(user=obj, email=obj.email).exists():
                address = EmailAddress.objects.create(
                    user=obj, email=obj.email, primary=False, verified=False
                )
                audit.record_saved(
                    address, actor=request.user, action=audit.admin_action(address, "add")
                )


class AuditedEmailAddressAdmin(AuditedAdmin, EmailAddressAdmin):
    @admin.action(description="Mark selected email addresses as verified")
    def make_verified(self, request, queryset):
        with transaction.atomic():
            for address in queryset.filter(verified=False):
                before = audit.snapshot(address)
                address.verified = True
                address.save(update_fields=["verified"])
                audit.record_saved(
                    address,
                    actor=request.user,
                    action=audit.admin_action(address, "verify"),
                    before=before,
                )
        self.message_user(request, "Marked the selected addresses as verified.")


class AuditedAuthenticatorAdmin(AuditedAdmin, AuthenticatorAdmin):
    pass


class AuditedGroupAdmin(AuditedAdmin, GroupAdmin):
    pass


# allauth and django.contrib.auth register plain admins; the steward's tools audit every write.
for model, audited in (
    (EmailAddress, AuditedEmailAddressAdmin),
    (Authenticator, AuditedAuthenticatorAdmin),
    (Group, AuditedGroupAdmin),
):
    admin.site.unregister(model)
    admin.site.register(model, audited)


# django-oauth-toolkit registers it, via OAUTH2_PROVIDER["APPLICATION_ADMIN_CLASS"].
class ServiceClientAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("client_id", "service", "client_type", "subject_type", "approved_at", "created")
    list_filter = (
        "client_type",
        "subject_type",
        "introspects_its_coops_tokens",
        ("approved_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("client_id", "service__name", "service__organisation__name")
    readonly_fields = ("client_id", "approved_at", "approved_by", "created", "updated")
    fields = (
        "service",
        "client_id",
        "client_type",
        "redirect_uris",
        "post_logout_redirect_uris",
        "backchannel_logout_uri",
        "backchannel_logout_session_required",
        "frontchannel_logout_uri",
        "frontchannel_logout_session_required",
        # The steward gives a service the public sub when it truly needs one (decision 0009).
        "subject_type",
        # And marks a co-op's API server that checks tokens its co-op's apps were issued.
        "introspects_its_coops_tokens",
        "approved_at",
        "approved_by",
        "created",
        "updated",
    )
    actions = ["approve"]

    def has_add_permission(self, request):
        # Partners register clients on their service's page, where the secret is shown once.
        return False

    def get_actions(self, request):
        # Removed one at a time, as below: a bulk delete would skip that refusal.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_deleted_objects(self, objs, request):
        # What goes with a client (its tokens, consents, logout deliveries) goes as when its
        # co-op removes it, below: the steward need not be able to delete each by hand,
        # and the records that only their own actions write never can be.
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    def delete_view(self, request, object_id, extra_context=None):
        # The co-op's own way (remove_client), which refuses while logout tokens are owed
        # to the client: deleting the row would drop them unsent and unrecorded.
        client = self.get_object(request, unquote(object_id))
        if request.method != "POST" or client is None:
            return super().delete_view(request, object_id, extra_context)
        if not self.has_delete_permission(request, client):
            raise PermissionDenied
        try:
            tokens = identity_actions.remove_client(client=client, actor=request.user)
        except ValidationError as refusal:
            return deletion_refused(self, request, client, refusal.messages[0])
        self.message_user(request, f"Removed {client}; {tokens} tokens went with it.")
        return redirect("admin:identity_serviceclient_changelist")

    @admin.action(description="Approve the selected clients")
    def approve(self, request, queryset):
        for client in queryset.filter(approved_at=None):
            identity_actions.approve_client(client=client, steward=request.user)
        self.message_user(request, "Approved the selected clients; residents can sign in now.")


@admin.register(LogoutDelivery)
class LogoutDeliveryAdmin(ReadOnlyAdmin):
    """The logout tokens services were owed, written when a session ends and by each
    attempt to send one: which services did not sign a resident out, and why."""

    list_display = (
        "client",
        "reason",
        "created",
        "attempts",
        "delivered_at",
        "abandoned_at",
        "last_outcome",
    )
    list_filter = (
        "reason",
        ("delivered_at", admin.EmptyFieldListFilter),
        ("abandoned_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("last_outcome", "subject")
    date_hierarchy = "created"

    def get_list_select_related(self, request):
        # At a site the deliveries are its own and the clients are read from the region's
        # standby: two databases, which no query joins (so no search by client either).
        # An empty tuple, not False: False has Django join every foreign key listed.
        return ("client",) if joinable(LogoutDelivery, ServiceClient) else ()


@admin.register(CredentialRenewal)
class CredentialRenewalAdmin(ReadOnlyAdmin):
    """Renewals of credentials that may have been copied, written by
    ``solhost renew-credentials``: how far each got, and how many residents it could not
    mail (the audit trail names them, ``identity.credentials.renew_unmailed``)."""

    list_display = ("started", "why", "total", "signed_out", "not_mailed", "finished")
    date_hierarchy = "started"
