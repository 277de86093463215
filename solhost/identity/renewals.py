"""Renewing credentials that may have been copied: after a site of the region is stolen
or its database leaks, every password hash, authenticator-app secret and recovery-code
seed in it must stop working (docs/sites.md, "Retiring a site, or cutting one out").

Two steps, so that what was copied stops working at once however many accounts there
are:

1. ``start_renewal`` (``solhost renew-credentials``), in one transaction: every account
   in scope gets an unusable password and loses its TOTP authenticator and recovery
   codes (a security key holds its secret itself and stays). Django refuses every browser
   session of the old passwords from then on, and replication carries it to every site.
2. ``renew_next_batch``, a batch of accounts at a time, each batch committed with how far
   it got: each account is signed out of every service (its tokens revoked, back-channel
   logout tokens owed, the other sites told) and its resident is mailed a link to choose
   a new password. A password reset is then the only way in, and it goes through the
   resident's verified email address. What a resident began with a password chosen in
   between (asking for a link themselves) is kept.
"""

import secrets

from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Max, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from solhost.core.audit import AuditAction, record, record_each
from solhost.identity import account_journal, actions
from solhost.identity.models import CredentialRenewal, User
from solhost.identity.queries import verified_address_of

# Accounts signed out per transaction: each tells its services and queues its mail, so a
# batch stays short enough not to hold back sign-ins at the primary for long.
BATCH = 100
# What an account loses besides its password: the secrets kept in the region's database.
COPYABLE_AUTHENTICATORS = (Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES)


def unfinished_renewal() -> CredentialRenewal | None:
    return CredentialRenewal.objects.filter(finished=None).first()


def in_scope(renewal: CredentialRenewal):
    """Every account of ``renewal``, in the order they are signed out."""
    accounts = User.objects.filter(pk__lte=renewal.last_account_id)
    if renewal.accounts:
        accounts = accounts.filter(pk__in=renewal.accounts)
    return accounts.order_by("pk")


def accounts_left(renewal: CredentialRenewal):
    """The accounts of ``renewal`` not signed out and mailed yet."""
    return in_scope(renewal).filter(pk__gt=renewal.done_through)


@transaction.atomic(durable=True)
def start_renewal(*, why: str, usernames: list[str] | None = None) -> CredentialRenewal:
    """Renew the credentials of the accounts named ``usernames`` (every account there is
    now, for None), for the reason ``why``, which each resident is told: their passwords,
    authenticator apps and recovery codes stop working when this commits. Signing them
    out and mailing them is ``renew_next_batch``'s.

    Refused while another renewal is unfinished (resume that one first), for a blank
    reason, or for a name no account has.
    """
    why = why.strip()
    if not why:
        raise ValidationError(
            {"why": "Say why the credentials are renewed: each resident is told."}
        )
    if (unfinished := unfinished_renewal()) is not None:
        raise ValidationError(
            f"A renewal started {unfinished.started:%Y-%m-%d %H:%M} UTC is unfinished: resume it "
            "first."
        )
    accounts: list[int] = []
    if usernames is not None:
        wanted = sorted(set(usernames))
        found = dict(User.objects.filter(username__in=wanted).values_list("username", "pk"))
        if unknown := [name for name in wanted if name not in found]:
            raise ValidationError(
                {"accounts": f"No account is named {', '.join(unknown)}: nothing was renewed."}
            )
        if not found:
            raise ValidationError({"accounts": "Name at least one account."})
        accounts = sorted(found.values())
    last = max(accounts) if accounts else User.objects.aggregate(last=Max("pk"))["last"]
    renewal = CredentialRenewal.objects.create(
        why=why, accounts=accounts, last_account_id=last or 0
    )
    renewal.total = _end_copied_credentials(renewal)
    renewal.save(update_fields=["total"])
    record(
        actor=None,
        action=AuditAction.CREDENTIALS_RENEWAL_START,
        obj=renewal,
        note=f"{why} ({renewal.total} accounts)",
    )
    return renewal


def _end_copied_credentials(renewal: CredentialRenewal) -> int:
    """Every account of ``renewal`` gets an unusable password and loses its copyable
    authenticators, with an audit event each. Returns how many accounts."""
    removed: dict[int, list[str]] = {}
    copyable = Authenticator.objects.filter(
        user__in=in_scope(renewal), type__in=COPYABLE_AUTHENTICATORS
    )
    for user_id, kind in copyable.order_by("user_id", "type").values_list("user_id", "type"):
        removed.setdefault(user_id, []).append(kind)
    with account_journal.kept_otherwise():
        copyable.delete()
    # Unusable as Django makes them ("!" and what no hasher reads), and each its own, so no
    # two accounts share a session hash; in one UPDATE, however many accounts.
    renewal_secret = secrets.token_hex(16)
    count = in_scope(renewal).update(
        password=Concat(Value(f"!{renewal_secret}-"), Cast("pk", output_field=CharField()))
    )
    # Kept now, not as each batch signs its accounts out: a restore after a disaster
    # between the two must not give back the passwords this ended.
    account_journal.keep_each(
        change=account_journal.Change.RENEWED,
        resident_ids=list(in_scope(renewal).order_by("pk").values_list("pk", flat=True)),
    )
    record_each(
        actor=None,
        action=AuditAction.CREDENTIALS_RENEW,
        notes=(
            (
                user,
                f"{renewal.why} (renewal {renewal.pk}); removed: "
                f"{', '.join(['password', *removed.get(user.pk, [])])}",
            )
            for user in in_scope(renewal).iterator()
        ),
    )
    return count


@transaction.atomic(durable=True)
def renew_next_batch(*, renewal_id: int, size: int = BATCH) -> CredentialRenewal:
    """Sign the next ``size`` accounts of the renewal out everywhere and queue their mail,
    committed with how far it got; the renewal is finished once none is left. Returns it
    as it now stands.

    The renewal's row is locked first, so two runs at once do each account once."""
    renewal = CredentialRenewal.objects.select_for_update().get(pk=renewal_id)
    if renewal.finished is not None:
        return renewal
    batch = list(accounts_left(renewal)[:size])
    for user in batch:
        # The renewal's start kept every account's in the account journal.
        with account_journal.kept_otherwise():
            actions.end_access_of_renewed_credentials(user=user, at=renewal.started)
        if not user.is_active:
            continue
        if verified_address_of(user.pk) is None:
            renewal.not_mailed += 1
            record(
                actor=None,
                action=AuditAction.CREDENTIALS_RENEW_UNMAILED,
                obj=user,
                note=f"renewal {renewal.pk}",
            )
        else:
            transaction.on_commit(lambda user_id=user.pk: _mail_link(user_id, renewal.pk))
    renewal.signed_out += len(batch)
    if batch:
        renewal.done_through = batch[-1].pk
    if len(batch) < size:
        renewal.finished = timezone.now()
        record(
            actor=None,
            action=AuditAction.CREDENTIALS_RENEWAL_FINISH,
            obj=renewal,
            note=f"{renewal.signed_out} accounts signed out everywhere, {renewal.not_mailed} "
            "with no verified address to mail",
        )
    renewal.save(update_fields=["done_through", "signed_out", "not_mailed", "finished"])
    return renewal


def _mail_link(user_id: int, renewal_id: int) -> None:
    from solhost.identity.tasks import mail_renewed_credentials

    mail_renewed_credentials(user_id=user_id, renewal_id=renewal_id)
