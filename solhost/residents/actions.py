"""The write path for a resident's exports and the deletion of their account.

A deletion is asked for with the password (and a second factor), waits for the network's
grace period (``account_deletion_grace_days``) during which the resident can cancel it,
then ``carry_out_due_deletions`` emails them their export and erases the account in one
transaction: sessions and tokens end and services are told (identity's session-ending
path), personal data goes, and partners get a deletion notice. The account's row stays,
anonymised, so the ledger, payments, usage and monthly shares keep pointing at it.
"""

import datetime
import logging
import re
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from solhost.contributions.models import ContributionChoice, Pledge, SponsoredSeat
from solhost.core.audit import AuditAction, record, record_saved, snapshot
from solhost.core.models import AuditEvent
from solhost.identity import account_journal
from solhost.identity import actions as identity_actions
from solhost.identity.models import User
from solhost.identity.queries import given_public_subs
from solhost.identity.subjects import organisation_sector, pairwise_sub
from solhost.partners.models import Organisation
from solhost.region.models import current_region
from solhost.residents import export_files, links, queries
from solhost.residents.models import AccountDeletion, AccountExport, DeletionNotice

logger = logging.getLogger(__name__)

ANONYMOUS_PREFIX = "deleted-"


def write_export(*, user: User, out: IO[bytes], now: datetime.datetime) -> None:
    """Write the resident's export zip to ``out``."""
    export_files.write_zip(
        queries.export_document(user, now=now),
        schema_text=queries.SCHEMA_PATH.read_text(),
        out=out,
    )


@transaction.atomic
def download_export(*, user: User, out: IO[bytes], now: datetime.datetime) -> None:
    """Write the resident's export to ``out`` for them to download at once, and note it."""
    write_export(user=user, out=out, now=now)
    record(actor=user, action=AuditAction.EXPORT_DOWNLOAD, obj=user, note="downloaded at once")


def record_download(*, export: AccountExport, by: User | None) -> None:
    """A built export was downloaded, by its resident (``by``) or from the final email's link."""
    record(
        actor=by, action=AuditAction.EXPORT_DOWNLOAD, obj=export.user, note=f"export {export.pk}"
    )


@transaction.atomic(durable=True)
def request_export(*, user: User, now: datetime.datetime) -> AccountExport:
    """Have the resident's export built in the background, and a link emailed when it is
    ready; an export already being built is not started twice."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    building = AccountExport.objects.filter(
        user=user, purpose=AccountExport.Purpose.REQUESTED, ready_at=None
    ).first()
    if building is not None:
        return building
    export = AccountExport.objects.create(
        user=user, purpose=AccountExport.Purpose.REQUESTED, requested_at=now
    )
    record(actor=user, action=AuditAction.EXPORT_REQUEST, obj=user, note=f"export {export.pk}")
    transaction.on_commit(partial(_queue_build, export.pk))
    return export


def _queue_build(export_id: int) -> None:
    from solhost.residents.tasks import build_export

    build_export(export_id)


def export_path(export: AccountExport) -> Path:
    return Path(settings.SOLHOST_EXPORT_DIR) / export.file_name


def _store(user: User, now: datetime.datetime) -> tuple[str, int]:
    """Write the resident's export to a new file only the site can read: its name and size."""
    directory = Path(settings.SOLHOST_EXPORT_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.zip"
    path = directory / name
    with path.open("xb") as out:
        path.chmod(0o600)
        write_export(user=user, out=out, now=now)
    return name, path.stat().st_size


def build_export(*, export: AccountExport, now: datetime.datetime) -> AccountExport:
    """Build a requested export and email its link. Safe to re-run: a built one is kept."""
    if export.ready_at is not None:
        return export
    name, size = _store(export.user, now)
    with transaction.atomic():
        export = AccountExport.objects.select_for_update().get(pk=export.pk)
        if export.ready_at is not None:
            Path(settings.SOLHOST_EXPORT_DIR, name).unlink()
            return export
        export.file_name, export.size_bytes, export.ready_at = name, size, now
        export.expires_at = now + datetime.timedelta(days=settings.SOLHOST_EXPORT_LINK_DAYS)
        export.save(update_fields=["file_name", "size_bytes", "ready_at", "expires_at"])
        record(
            actor=None,
            action=AuditAction.EXPORT_READY,
            obj=export.user,
            note=f"export {export.pk}, {size} bytes",
        )
    _email(
        export.user,
        "export_ready",
        {"url": links.export_url(export), "expires_at": export.expires_at, "size": size},
    )
    return export


def _address(user: User) -> str:
    primary = EmailAddress.objects.filter(user=user, primary=True).first()
    return primary.email if primary is not None else user.email


def _email(user: User, template: str, context: dict, attachment: bytes | None = None) -> None:
    context = {
        "user": user,
        "region": current_region(),
        "account_url": settings.BASE_URL + reverse("residents:overview"),
        **context,
    }
    subject = render_to_string(f"residents/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"residents/email/{template}.txt", context)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [_address(user)])
    if attachment is not None:
        message.attach(context["file_name"], attachment, "application/zip")
    message.send(fail_silently=False)


@transaction.atomic(durable=True)
def request_deletion(*, user: User, now: datetime.datetime) -> AccountDeletion:
    """Schedule the account's erasure after the grace period in force today.

    The caller has checked the password and second factor. Raises ValidationError when a
    deletion is already scheduled.
    """
    User.objects.select_for_update().filter(pk=user.pk).first()
    pending = queries.pending_deletion(user)
    if pending is not None:
        raise ValidationError(
            "Your account is already due to be deleted after "
            f"{date_format(timezone.localtime(pending.erase_after), 'j F Y, H:i')}."
        )
    days = queries.grace_days(at=timezone.localdate(now))
    deletion = AccountDeletion(
        user=user, requested_at=now, erase_after=now + datetime.timedelta(days=days)
    )
    try:
        with transaction.atomic():
            deletion.save()
    except IntegrityError:
        raise ValidationError("Your account is already due to be deleted.") from None
    record_saved(
        deletion, actor=user, action=AuditAction.DELETION_REQUEST, note=f"{days} days of grace"
    )
    transaction.on_commit(partial(_queue_deletion_email, deletion.pk))
    return deletion


def _queue_deletion_email(deletion_id: int) -> None:
    from solhost.residents.tasks import email_deletion_scheduled

    email_deletion_scheduled(deletion_id)


def email_deletion_scheduled(*, deletion: AccountDeletion) -> None:
    """Tell the resident when their account will go and how to keep it, in case it was
    not them who asked."""
    if deletion.pending:
        _email(deletion.user, "deletion_scheduled", {"deletion": deletion})


@transaction.atomic(durable=True)
def cancel_deletion(*, user: User, now: datetime.datetime) -> AccountDeletion:
    """Keep the account: the scheduled deletion will not happen. Raises ValidationError when
    none is scheduled (already cancelled, or carried out)."""
    deletion = (
        AccountDeletion.objects.select_for_update()
        .filter(user=user, cancelled_at=None, erased_at=None)
        .first()
    )
    if deletion is None:
        raise ValidationError("Your account is not due to be deleted: there is nothing to cancel.")
    before = snapshot(deletion)
    deletion.cancelled_at = now
    deletion.save(update_fields=["cancelled_at"])
    record_saved(deletion, actor=user, action=AuditAction.DELETION_CANCEL, before=before)
    return deletion


def send_final_export(*, deletion: AccountDeletion, now: datetime.datetime) -> AccountDeletion:
    """Email the resident their export before the erasure: attached, or linked when it is
    larger than ``SOLHOST_EXPORT_ATTACH_MAX_BYTES`` (the link works without signing in, as
    the account will be gone). Safe to re-run: it is sent once."""
    if deletion.final_email_sent_at is not None or not deletion.pending:
        return deletion
    user = deletion.user
    export = AccountExport(
        user=user, purpose=AccountExport.Purpose.FINAL, requested_at=now, ready_at=now
    )
    name, size = _store(user, now)
    path = Path(settings.SOLHOST_EXPORT_DIR) / name
    attached = size <= settings.SOLHOST_EXPORT_ATTACH_MAX_BYTES
    attachment = path.read_bytes() if attached else None
    export.size_bytes = size
    if attached:
        path.unlink()
    else:
        export.file_name = name
        export.expires_at = now + datetime.timedelta(days=settings.SOLHOST_EXPORT_LINK_DAYS)
    export.save()
    _email(
        user,
        "final",
        {
            "deletion": deletion,
            "file_name": file_name(now),
            "url": None if attached else links.export_url(export),
            "expires_at": export.expires_at,
        },
        attachment=attachment,
    )
    with transaction.atomic():
        deletion = AccountDeletion.objects.select_for_update().get(pk=deletion.pk)
        deletion.final_email_sent_at = now
        deletion.save(update_fields=["final_email_sent_at"])
        record(
            actor=None,
            action=AuditAction.DELETION_FINAL_EMAIL,
            obj=user,
            note=f"export {export.pk}, {size} bytes, {'attached' if attached else 'linked'}",
        )
    return deletion


def file_name(now: datetime.datetime) -> str:
    """The name a downloaded export is saved under."""
    region = current_region()
    day = timezone.localdate(now).isoformat()
    return f"{region.slug if region else 'solhost'}-account-{day}.zip"


def _anonymous_id() -> str:
    while True:
        candidate = f"{ANONYMOUS_PREFIX}{secrets.token_hex(6)}"
        if not User.objects.filter(username=candidate).exists():
            return candidate


def _subjects_known_by(user: User, organisation: Organisation) -> set[str]:
    """The subs the partner's services know the resident by: its own pairwise one, and the
    public one if any of its services gets public subs."""
    known = {str(pairwise_sub(user.sub, organisation_sector(organisation.pk)))}
    if given_public_subs(organisation_id=organisation.pk, residents=[user.pk]):
        known.add(str(user.sub))
    return known


def _names_of(user: User) -> list[str]:
    """How the trail may write the resident: username, display name and full name."""
    names = {user.username, user.display_name, user.get_full_name()}
    return sorted((name for name in names if name), key=len, reverse=True)


def _owned_objects(user: User) -> dict[int, set[str]]:
    """``{content type id: object ids}`` of the account and every row naming the resident."""
    owned = {ContentType.objects.get_for_model(User).pk: {str(user.pk)}}
    for model, field in queries.OWNED.items():
        ids = model._default_manager.filter(**{field: user}).values_list("pk", flat=True)
        owned[ContentType.objects.get_for_model(model).pk] = {str(pk) for pk in ids}
    return owned


def _anonymise_trail(
    user: User, label: str, names: list[str], addresses: Iterable[str], owned: dict[int, set[str]]
) -> int:
    """Take the words naming the resident out of the audit trail; the events stay.

    The one change ever made to stored events, so the trail keeps who did what without
    keeping who the resident was: their username as the actor, their names in the objects'
    descriptions, the snapshots of their account and addresses, and their addresses in
    notes (a failed sign-in notes the address tried). Returns how many events changed.
    """
    about = Q(actor=user)
    for type_id, ids in owned.items():
        if ids:
            about |= Q(content_type_id=type_id, object_id__in=ids)
    noting = Q()
    for address in addresses:
        noting |= Q(note__icontains=address)
    trail = (
        AuditEvent.objects.filter(about | noting) if noting else AuditEvent.objects.filter(about)
    )
    changed = trail.count()
    AuditEvent.objects.filter(actor=user).update(actor_label=label)
    for model in (User, EmailAddress):
        type_id = ContentType.objects.get_for_model(model).pk
        AuditEvent.objects.filter(content_type_id=type_id, object_id__in=owned[type_id]).update(
            before=None, after=None
        )
    # Whole names only: "ann" is not taken out of "annual". One UPDATE per distinct text,
    # however many events share it.
    name = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")
    about_events = AuditEvent.objects.filter(about)
    for described in set(about_events.values_list("object_repr", flat=True)):
        if name.search(described):
            about_events.filter(object_repr=described).update(
                object_repr=name.sub(label, described)
            )
    if noting:
        address = re.compile("|".join(re.escape(a) for a in addresses), re.IGNORECASE)
        noted = AuditEvent.objects.filter(noting)
        for note in set(noted.values_list("note", flat=True)):
            noted.filter(note=note).update(note=address.sub(label, note))
    return changed


def anonymise_late_trail(*, user: User, names: Iterable[str]) -> int:
    """Events about an erased account that reached the primary after its erasure (a site
    cut off from it forwards its trail when the link is back) lose the words naming the
    resident, as the erasure took them out of the rest. ``names`` are how those events
    wrote the resident: the account's own names are gone. How many events changed."""
    deletion = user.account_deletions.exclude(erased_at=None).first()
    if deletion is None:
        return 0
    label = deletion.anonymous_id
    names = sorted({name for name in names if name and name != label}, key=len, reverse=True)
    if not names:
        return 0
    return _anonymise_trail(user, label, names, [], _owned_objects(user))


@dataclass(frozen=True)
class Erased:
    deletion: AccountDeletion
    summary: str


@transaction.atomic(durable=True)
def erase_account(*, deletion: AccountDeletion, now: datetime.datetime) -> Erased | None:
    """Erase the account of a due deletion whose final email has gone; None when it is not
    due (cancelled, carried out, not yet due, or the email not sent)."""
    deletion = AccountDeletion.objects.select_for_update().get(pk=deletion.pk)
    if not deletion.pending or deletion.erase_after > now or deletion.final_email_sent_at is None:
        return None
    user = User.objects.select_for_update().get(pk=deletion.user_id)
    summary = _erase(user=user, label=_anonymous_id(), now=now)
    deletion.erased_at, deletion.anonymous_id = now, user.username
    deletion.save(update_fields=["erased_at", "anonymous_id"])
    record(actor=None, action=AuditAction.DELETION_ERASE, obj=user, note=summary)
    return Erased(deletion=deletion, summary=summary)


@transaction.atomic(durable=True)
def erase_again(*, resident_id: int, label: str, erased_at: datetime.datetime) -> str | None:
    """Erase again, under the same anonymous id, an account that was erased at ``erased_at``
    and came back with a restore from an older archive; its export was sent before. The
    summary, or None when there is nothing to do (no such account, or erased already)."""
    user = User.objects.select_for_update().filter(pk=resident_id).first()
    if user is None or user.account_deletions.exclude(erased_at=None).exists():
        return None
    deletion = user.account_deletions.filter(cancelled_at=None).first() or AccountDeletion(
        user=user, requested_at=erased_at, erase_after=erased_at
    )
    summary = _erase(user=user, label=label, now=erased_at)
    deletion.erased_at, deletion.anonymous_id = erased_at, label
    deletion.save()
    record(
        actor=None,
        action=AuditAction.DELETION_ERASE,
        obj=user,
        note=f"{summary}; made again after a restore, as on {erased_at:%Y-%m-%d %H:%M} UTC",
    )
    return summary


def _erase(*, user: User, label: str, now: datetime.datetime) -> str:
    """Take the personal data out of ``user`` (locked) and name them ``label``; tell the
    services and partners that knew them. Returns what went, in words."""
    # Named as each partner knows the resident, before the public sub changes.
    notices = [
        DeletionNotice(organisation=organisation, subject=subject, deleted_at=now)
        for organisation in queries.organisations_knowing(user)
        for subject in sorted(_subjects_known_by(user, organisation))
    ]
    names = _names_of(user)
    addresses = {
        user.email,
        *EmailAddress.objects.filter(user=user).values_list("email", flat=True),
    }
    owned = _owned_objects(user)
    revoked = identity_actions.end_access_of_deleted_account(user=user)

    emails, _ = EmailAddress.objects.filter(user=user).delete()
    with account_journal.kept_otherwise():
        factors, _ = Authenticator.objects.filter(user=user).delete()
    memberships, _ = user.memberships.all().delete()
    for seat in SponsoredSeat.objects.filter(resident=user):
        record(
            actor=None,
            action=AuditAction.SEAT_STOP,
            obj=seat,
            before=snapshot(seat),
            note="the resident's account was deleted",
        )
        seat.delete()
    ContributionChoice.objects.filter(resident=user).delete()
    # With its reminders: nobody is left to remind.
    Pledge.objects.filter(resident=user).delete()
    old_files = [
        export_path(export)
        for export in AccountExport.objects.filter(
            user=user, purpose=AccountExport.Purpose.REQUESTED
        ).exclude(file_name="")
    ]
    AccountExport.objects.filter(user=user, purpose=AccountExport.Purpose.REQUESTED).update(
        file_name=""
    )
    transaction.on_commit(partial(_remove_files, old_files))

    user.username = label
    user.first_name = user.last_name = user.display_name = user.email = ""
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    # A new public sub: services' old ids for the resident now name nobody.
    user.sub = uuid.uuid4()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()

    relabelled = _anonymise_trail(user, label, names, {a for a in addresses if a}, owned)
    DeletionNotice.objects.bulk_create(notices, ignore_conflicts=True)
    return (
        f"{emails} email addresses, {factors} second factors, {memberships} memberships and "
        f"{revoked} tokens gone; {len(notices)} deletion notices for "
        f"{len({n.organisation_id for n in notices})} partners; {relabelled} audit events "
        "anonymised"
    )


def _remove_files(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Outcome:
    deletion: AccountDeletion
    failed: bool
    what: str


def carry_out_due_deletions(*, now: datetime.datetime) -> list[Outcome]:
    """Email and erase every account whose grace period is over. One that fails (the mail
    server is down) is tried again next time and does not hold up the others."""
    done = []
    due = AccountDeletion.objects.filter(
        cancelled_at=None, erased_at=None, erase_after__lte=now
    ).select_related("user")
    for deletion in due.order_by("erase_after", "pk"):
        try:
            deletion = send_final_export(deletion=deletion, now=now)
            erased = erase_account(deletion=deletion, now=now)
        # Reported, and tried again on the next run.
        except Exception as error:
            logger.exception("could not carry out deletion %s", deletion.pk)
            done.append(Outcome(deletion, failed=True, what=f"failed, tried again later: {error}"))
            continue
        if erased is not None:
            done.append(Outcome(erased.deletion, failed=False, what=f"erased: {erased.summary}"))
    return done


def remove_expired_exports(*, now: datetime.datetime) -> int:
    """Remove the files of exports whose link has expired; how many."""
    removed = 0
    for export in AccountExport.objects.filter(expires_at__lte=now).exclude(file_name=""):
        with transaction.atomic():
            export_path(export).unlink(missing_ok=True)
            AccountExport.objects.filter(pk=export.pk).update(file_name="")
            record(actor=None, action=AuditAction.EXPORT_REMOVE, obj=export)
        removed += 1
    return removed
