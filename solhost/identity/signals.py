"""The audit trail of signing in: logins, failures, sign-outs and MFA changes, the
sessions a sign-out or a new password ends (services are told by back-channel logout),
and the second factors taken away, which the account journal keeps.

Connected in ``IdentityConfig.ready``. Each receiver writes one row; none can stop a login.
A login is audited when a person signs in through the login form (allauth's signal, sent
after the password and any second factor); Django's own signal, which also fires for
logins no one typed (``force_login`` in tests), only records the session.
"""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth import signals as auth_signals
from django.db.models.signals import post_delete
from django.dispatch import receiver

from solhost.core.audit import AuditAction, record
from solhost.identity import account_journal, actions, sessions


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None if request is not None else None


@receiver(account_signals.user_logged_in, dispatch_uid="identity-login-audit")
def on_login_form(sender, request, user, **kwargs):
    record(actor=user, action=AuditAction.LOGIN, obj=user, note=f"from {_client_ip(request)}")


@receiver(auth_signals.user_logged_in, dispatch_uid="identity-login-session")
def on_login(sender, request, user, **kwargs):
    if request is not None and request.session.session_key:
        # allauth has recorded the password and any second factor by now.
        signed_in = actions.remember_session(
            user=user,
            session_key=request.session.session_key,
            user_agent=request.headers.get("user-agent", ""),
            ip_address=_client_ip(request),
            amr=sessions.amr_of_session(request, user),
        )
        sessions.remember_sid(request, signed_in)


@receiver(account_signals.authentication_step_completed, dispatch_uid="identity-reauthenticate")
def on_authentication_step(sender, request, user, **kwargs):
    # Steps of a sign-in come before there is a session to record (on_login does it);
    # a signed-in browser proving itself again (reauthentication, MFA step-up) updates its own.
    if request is None or request.user != user:
        return
    signed_in = sessions.current_signed_in_session(request)
    if signed_in is not None:
        actions.record_reauthentication(
            signed_in=signed_in, amr=sessions.amr_of_session(request, user)
        )


@receiver(auth_signals.user_login_failed, dispatch_uid="identity-login-failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password; the address tried is kept for lockout review.
    tried = credentials.get("email") or credentials.get("username") or "(none)"
    record(actor=None, action=AuditAction.LOGIN_FAILED, note=f"{tried} from {_client_ip(request)}")


@receiver(auth_signals.user_logged_out, dispatch_uid="identity-logout")
def on_logout(sender, request, user, **kwargs):
    if user is None:
        return
    session_key = request.session.session_key if request is not None else None
    actions.record_logout(user=user, session_key=session_key)


def _on_password_change(sender, request, user, **kwargs):
    # A change keeps the browser that made it (allauth has Django go on accepting it).
    keep = sessions.current_signed_in_session(request) if request is not None else None
    actions.end_sessions_for_new_password(
        user=user, keep_session_key=keep.session_key if keep is not None else None
    )


def _on_password_reset(sender, request, user, **kwargs):
    # Every session ends, also that of a browser signed in as the resident that opened the
    # link: allauth keeps none across a reset, so Django refuses it from its next request,
    # and its services must be told as the others' are.
    actions.end_sessions_for_new_password(user=user, keep_session_key=None)


account_signals.password_changed.connect(
    _on_password_change, dispatch_uid="identity-password-change"
)
account_signals.password_reset.connect(_on_password_reset, dispatch_uid="identity-password-reset")


def _mfa_change(action: AuditAction):
    def receiver_(sender, request, user, authenticator=None, **kwargs):
        kind = authenticator.type if authenticator is not None else kwargs.get("type", "")
        record(actor=user, action=action, obj=user, note=str(kind))

    return receiver_


on_mfa_added = _mfa_change(AuditAction.MFA_ADD)
on_mfa_removed = _mfa_change(AuditAction.MFA_REMOVE)
on_mfa_reset = _mfa_change(AuditAction.MFA_RESET)
mfa_signals.authenticator_added.connect(on_mfa_added, dispatch_uid="identity-mfa-add")
mfa_signals.authenticator_removed.connect(on_mfa_removed, dispatch_uid="identity-mfa-remove")
mfa_signals.authenticator_reset.connect(on_mfa_reset, dispatch_uid="identity-mfa-reset")


@receiver(post_delete, sender=Authenticator, dispatch_uid="identity-second-factor-journal")
def on_second_factor_deleted(sender, instance, **kwargs):
    # Every way one goes (removed on the resident's page, the last factor's recovery codes
    # with it, codes made anew, the steward's admin) deletes the row: a restore from an
    # older archive must not bring back a factor the resident may have lost to a thief.
    account_journal.keep(
        change=account_journal.Change.SECOND_FACTOR_REMOVED,
        resident_id=instance.user_id,
        authenticator_id=instance.pk,
    )
