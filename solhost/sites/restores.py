"""A store restored from a backup keeps its events and ends what came back with it: at a
replica site, its store; at the primary (or a one-site region), the whole installation,
restored by ``solhost restore``.

A backup holds the events the store had not forwarded when it was taken, which restoring
it saves from being lost with the store. It also holds sessions and tokens that have
ended since (a sign-out, a revocation), and it numbers events again from where the backup
stopped, as the lost store had already done. So, once the restore is found (by the
operator, ``solhost sites restored-store``, or by the primary refusing a number it holds
for another event), the store:

- forwards the events it numbers from then on under a new name (``StoreIdentity``), so
  none is taken at the primary for one the lost store forwarded, and the events it had
  under their old one, which counts a repeat once;
- ends every session and token it issued before the restore, resident by resident, each
  in its own transaction, telling services by back-channel logout, as a renewal of
  credentials does (``identity.actions.end_access_of_restored_store``). What it issued
  since stays. If the work stops, the job each minute finishes it.

``solhost restore`` brings back everything the primary had issued when the archive was
made, some of it ended since, and nothing of what it issued later. So everything it holds
ends the same way, before anyone is let in; its events are not forwarded, so none is
renamed.
"""

import datetime

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from oauth2_provider.models import AccessToken, Grant, IDToken, RefreshToken

from solhost.core.audit import AuditAction, record
from solhost.identity import actions as identity_actions
from solhost.identity.models import SignedInSession
from solhost.sites import config
from solhost.sites.models import OUTBOX_EVENTS, StoreIdentity, StoreRestore


def _store_restored(
    *, found_by: str, ends_before: datetime.datetime, first_ids: dict[str, int], note: str
) -> StoreRestore:
    with transaction.atomic(using=config.STORE):
        if first_ids:
            # The first name exists before the new ones, so the numbers below them keep it.
            StoreIdentity.make_first(using=config.STORE)
        for kind, first_local_id in first_ids.items():
            StoreIdentity.objects.using(config.STORE).create(
                kind=kind, first_local_id=first_local_id
            )
        restore = StoreRestore.objects.using(config.STORE).create(
            found_at=timezone.now(), found_by=found_by, ends_before=ends_before, note=note
        )
        record(
            actor=None,
            action=AuditAction.SITE_STORE_RESTORE,
            obj=restore,
            after={"ends_before": ends_before.isoformat(), "first_ids": first_ids},
            note=note,
        )
    return restore


def restored_by_operator(*, why: str) -> StoreRestore:
    """The operator restored the store from a backup (``solhost sites restored-store``),
    before letting anyone in: everything issued before now ends, and events from the next
    number on take new names."""
    first_ids = {}
    for kind, (model, _) in OUTBOX_EVENTS.items():
        highest = model.objects.using(config.STORE).aggregate(highest=Max("pk"))["highest"]
        first_ids[kind] = (highest or 0) + 1
    return _store_restored(
        found_by=StoreRestore.FoundBy.OPERATOR,
        ends_before=timezone.now(),
        first_ids=first_ids,
        note=why,
    )


def found_by_primary(*, kind: str, local_id: int) -> StoreRestore:
    """The primary holds another ``kind`` event under ``local_id``: the store numbered it
    after it was restored, so that event marks the restore. What was issued before it
    came back with the backup and ends; the events from it on take a new name."""
    model, moment_field = OUTBOX_EVENTS[kind]
    event = model.objects.using(config.STORE).filter(pk=local_id).first()
    ends_before = getattr(event, moment_field) if event is not None else timezone.now()
    return _store_restored(
        found_by=StoreRestore.FoundBy.PRIMARY,
        ends_before=ends_before,
        first_ids={kind: local_id},
        note=f"the primary holds another {kind} event under number {local_id}",
    )


def restored_from_archive(*, note: str) -> StoreRestore:
    """``solhost restore`` restored this installation from the archive ``note`` names:
    every session and token in it ends."""
    return _store_restored(
        found_by=StoreRestore.FoundBy.ARCHIVE, ends_before=timezone.now(), first_ids={}, note=note
    )


def end_what_the_archive_brought_back(sender, *, note: str, **kwargs) -> str:
    """Receives ``backups.signals.installation_restored``: the line ``solhost restore``
    prints."""
    restore = restored_from_archive(note=note)
    finished = finish(restore)
    restore.refresh_from_db(using=config.STORE)
    count = restore.residents_signed_out
    signed_out = f"{count} resident{'' if count == 1 else 's'} signed out"
    if finished and not count:
        return "sign-ins: the archive brought back no live session or token"
    if not finished:
        return (
            f"sign-ins: {signed_out} so far; the job runner ends the rest of what the archive "
            "brought back, each minute, once started"
        )
    return (
        f"sign-ins: every session and token the archive brought back ended ({signed_out}); "
        "the job runner tells their services by back-channel logout"
    )


def _residents_holding(before: datetime.datetime) -> list[int]:
    """The residents with a live session or token this site issued before ``before``
    (what ``end_access_of_restored_store`` ends; a revoked refresh token is kept, marked)."""
    live = {
        SignedInSession: {"started__lt": before},
        AccessToken: {"created__lt": before},
        RefreshToken: {"created__lt": before, "revoked": None},
        IDToken: {"created__lt": before},
        Grant: {"created__lt": before},
    }
    held: set[int] = set()
    for model, where in live.items():
        held |= set(
            model.objects.filter(**where, user_id__isnull=False).values_list("user_id", flat=True)
        )
    return sorted(held)


def found_since(moment: datetime.datetime) -> list[StoreRestore]:
    return list(StoreRestore.objects.using(config.STORE).filter(found_at__gte=moment))


def unfinished() -> list[StoreRestore]:
    return list(StoreRestore.objects.using(config.STORE).filter(ended_at=None).order_by("pk"))


def finish(restore: StoreRestore, *, at_most: int | None = None) -> bool:
    """End what came back with ``restore``: every session and token the store issued
    before its moment, resident by resident (``at_most`` of them, for a run that must
    stop), each in a transaction of its own. True once nothing of it is left, and the
    restore is marked ended; what can't be ended (a token of a service gone since) leaves
    it unfinished for the next run."""
    for resident_id in _residents_holding(restore.ends_before)[:at_most]:
        with transaction.atomic(using=config.STORE):
            identity_actions.end_access_of_restored_store(
                resident_id=resident_id, issued_before=restore.ends_before
            )
            StoreRestore.objects.using(config.STORE).filter(pk=restore.pk).update(
                residents_signed_out=F("residents_signed_out") + 1
            )
    if _residents_holding(restore.ends_before):
        return False
    restore.ended_at = timezone.now()
    restore.save(using=config.STORE, update_fields=["ended_at"])
    return True


def finish_unfinished() -> int:
    """End what came back with every restore not finished yet (the job each minute, after
    the command or forwarding stopped halfway); how many it finished."""
    return sum(finish(restore) for restore in unfinished())
