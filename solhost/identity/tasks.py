"""Background jobs for identity: mail that must not slow down, or tell anything to, a
request, the logout tokens services are sent when a resident's session ends, and the
routine rotation of the signing key."""

import datetime
import io
import logging

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import send_mail
from django.core.management import call_command
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from solhost.core.audit import AuditAction, record
from solhost.identity import actions, backchannel, renewals
from solhost.identity.databases import at_replica_site, joinable
from solhost.identity.models import CredentialRenewal, LogoutDelivery, ServiceClient
from solhost.identity.queries import verified_address_of
from solhost.region.models import current_region

logger = logging.getLogger(__name__)


@db_task()
def alert_owner_of_failed_sign_ins(
    *, owner_id: int | None, failures: int, addresses: int, first: float, last: float
) -> None:
    """Tell the account ``owner_id`` about a burst of failed sign-ins to it; nothing for None
    (the address tried was nobody's).

    Runs outside the sign-in request, so the attacker sees the same answer, as fast,
    whether or not an account has the address tried. Only a verified address is written
    to: the one the owner signs in with when it is verified, else their oldest verified.
    """
    if owner_id is None:
        return
    owned = verified_address_of(owner_id)
    if owned is None:
        return
    context = {
        "user": owned.user,
        "region": current_region(),
        "failures": failures,
        "addresses": addresses,
        "first": datetime.datetime.fromtimestamp(first, datetime.UTC),
        "last": datetime.datetime.fromtimestamp(last, datetime.UTC),
        "change_password_url": settings.BASE_URL + reverse("account_change_password"),
        "security_url": settings.BASE_URL + reverse("mfa_index"),
        "sessions_url": settings.BASE_URL + reverse("identity:connected"),
    }
    _mail_about_security(
        owned,
        "failed_sign_ins",
        context,
        action=AuditAction.LOGIN_BURST_ALERT,
        note=f"{failures} failures from {addresses} addresses",
    )


def _mail_about_security(
    owned: EmailAddress, template: str, context: dict, *, action: AuditAction, note: str
) -> None:
    """Write ``identity/email/<template>`` to the verified address ``owned``, audited
    under ``action``: recorded only if the mail went."""
    subject = render_to_string(f"identity/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"identity/email/{template}.txt", context)
    with transaction.atomic():
        record(actor=None, action=action, obj=owned.user, note=note)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [owned.email], fail_silently=False)


@db_task()
def mail_renewed_credentials(*, user_id: int, renewal_id: int) -> None:
    """Tell the resident their credentials were renewed, and why, with a link to choose a
    new password (``identity.renewals``). Nothing once they have chosen one, or for an
    account since closed, deactivated or left with no verified address.

    The link is made here, after the renewal committed, from the unusable password it
    set: one made before would name a password the account no longer has."""
    owned = verified_address_of(user_id)
    if owned is None or not owned.user.is_active or owned.user.has_usable_password():
        return
    user = owned.user
    renewal = CredentialRenewal.objects.get(pk=renewal_id)
    reset_path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    context = {
        "user": user,
        "region": current_region(),
        "why": renewal.why,
        "renewed_at": renewal.started,
        "reset_url": settings.BASE_URL + reset_path,
        "ask_again_url": settings.BASE_URL + reverse("account_reset_password"),
        "link_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "security_url": settings.BASE_URL + reverse("mfa_index"),
    }
    _mail_about_security(
        owned,
        "credentials_renewed",
        context,
        action=AuditAction.CREDENTIALS_RENEW_MAIL,
        note=f"renewal {renewal.pk}",
    )


def _deliveries():
    """Logout deliveries, with their clients when one query can read both (not at a site)."""
    if joinable(LogoutDelivery, ServiceClient):
        return LogoutDelivery.objects.select_related("client")
    return LogoutDelivery.objects.all()


@db_task()
def deliver_logout_token(delivery_id: int) -> None:
    """The first attempt to send a logout token, as soon as the session's end is committed.
    Nothing if the minutely retry got there first (this job ran late): the retries go on
    at their own pace."""
    delivery = _deliveries().filter(pk=delivery_id, attempts=0).first()
    if delivery is not None:
        actions.attempt_logout_delivery(delivery=delivery)


@db_periodic_task(crontab(minute="*"))
def retry_logout_deliveries() -> int:
    """Send again each logout token whose service has not acknowledged it and is due.

    The delivery rows are the queue, so a restarted consumer loses nothing, and running this
    again at once, or beside another run, sends nothing twice (each attempt is claimed
    first). Returns how many this run attempted.

    A service whose server gave no answer is not waited for again in the same run: a
    server that is down and owed many tokens would hold a worker for POST_TIMEOUT_SECONDS
    each, with every other service's tokens and jobs behind it. Its other tokens due count
    an attempt each, unsent, so the region still gives up on them at the usual time.
    """
    due = _deliveries().filter(
        delivered_at=None, abandoned_at=None, next_attempt_at__lte=timezone.now()
    )
    attempted = 0
    unanswered: dict[int, str] = {}
    for delivery in due.order_by("next_attempt_at"):
        outcome = actions.attempt_logout_delivery(
            delivery=delivery, unanswered=unanswered.get(delivery.client_id)
        )
        if outcome is None:
            continue
        attempted += 1
        if outcome.last_outcome.startswith(backchannel.NO_ANSWER):
            unanswered[delivery.client_id] = outcome.last_outcome
    return attempted


@db_periodic_task(crontab(minute="*"))
@lock_task("identity-renewal")
def finish_unfinished_renewal() -> int:
    """Finish a renewal of credentials whose command stopped (a dropped connection, a
    restart): its copied credentials stopped working when it started, and here the rest of
    its accounts are signed out and mailed. Beside a command still running, the batches
    take turns, each once (``renewals.renew_next_batch`` locks the renewal). Nothing at a
    replica site, where the region's accounts are the primary's. Returns how many accounts
    were signed out while it ran."""
    if at_replica_site() or (renewal := renewals.unfinished_renewal()) is None:
        return 0
    before = renewal.signed_out
    while renewal.finished is None:
        renewal = renewals.renew_next_batch(renewal_id=renewal.pk)
    return renewal.signed_out - before


@db_periodic_task(crontab(minute="17", hour="3"))
def rotate_signing_key_when_due() -> None:
    """The routine rotation (settings.OIDC_KEY_ROTATE_DAYS): the command does the work, and
    does nothing when it is not due, so running it again, or by hand, is harmless."""
    said = io.StringIO()
    call_command("oidc-keys", "rotate", "--when-due", stdout=said)
    logger.info("scheduled key rotation: %s", said.getvalue().strip())
