"""Making again the account changes a restore would undo, from the account journal.

``solhost restore`` hands over the journal's changes made after its archive
(``backups.signals.installation_restored``), and ``solhost account-journal --make-again``
does the same by hand. Each change is made in a transaction of its own, and only where
the account isn't so already, so making the same changes twice is safe. A change about
an account or a service the installation doesn't hold (made after the archive, and lost
with everything else made since) is left out.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from allauth.mfa.models import Authenticator
from django.db import transaction

from solhost.core.audit import AuditAction, record
from solhost.identity import account_journal
from solhost.identity import actions as identity_actions
from solhost.identity.account_journal import Change, Entry
from solhost.identity.models import Consent, ServiceClient, User
from solhost.identity.renewals import COPYABLE_AUTHENTICATORS
from solhost.residents import actions

# How the operator and the audit trail read each change.
WORDS = {
    Change.NEW_PASSWORD: ("new password", "new passwords"),
    Change.RENEWED: ("renewal of credentials", "renewals of credentials"),
    Change.ERASED: ("erasure", "erasures"),
    Change.DEACTIVATED: ("deactivation", "deactivations"),
    Change.REACTIVATED: ("reactivation", "reactivations"),
    Change.DISCONNECTED: ("disconnected service", "disconnected services"),
    Change.SECOND_FACTOR_REMOVED: ("second factor removed", "second factors removed"),
}


@dataclass
class MadeAgain:
    made: Counter[Change] = field(default_factory=Counter)
    # Changes the account showed already, or about what the installation doesn't hold.
    nothing_to_do: int = 0

    def words(self) -> str:
        done = ", ".join(
            f"{count} {WORDS[change][count != 1]}"
            for change, count in sorted(
                self.made.items(), key=lambda item: list(Change).index(item[0])
            )
        )
        return f"made again: {done or 'nothing'}; {self.nothing_to_do} already so or about an account or service not here"


def make_again(*, entries: list[Entry]) -> MadeAgain:
    """Make each change of ``entries``, oldest first, that the account doesn't show."""
    outcome = MadeAgain()
    # What the changes do again is kept in the journal already.
    with account_journal.kept_otherwise():
        for entry in sorted(entries, key=lambda entry: entry.at):
            if _make_again(entry):
                outcome.made[entry.change] += 1
            else:
                outcome.nothing_to_do += 1
    return outcome


def make_again_after_a_restore(sender, *, account_changes: list[Entry], **kwargs) -> str:
    """Receives ``backups.signals.installation_restored``: the line ``solhost restore``
    prints, empty when the journal held no change made after the archive."""
    if not account_changes:
        return ""
    return f"account journal: {make_again(entries=account_changes).words()}"


def _when(entry: Entry) -> str:
    return f"{WORDS[entry.change][0]} of {entry.at.astimezone(datetime.UTC):%Y-%m-%d %H:%M} UTC"


def _make_again(entry: Entry) -> bool:
    if entry.change is Change.ERASED:
        return (
            actions.erase_again(resident_id=entry.resident, label=entry.detail, erased_at=entry.at)
            is not None
        )
    if entry.change is Change.DISCONNECTED:
        return _disconnect_again(entry)
    if entry.change is Change.SECOND_FACTOR_REMOVED:
        return _remove_second_factor_again(entry)
    return _change_account_again(entry)


def _living_account(resident_id: int) -> User | None:
    """The account, locked; None when it isn't here or was erased."""
    user = User.objects.select_for_update().filter(pk=resident_id).first()
    if user is None or user.account_deletions.exclude(erased_at=None).exists():
        return None
    return user


@transaction.atomic(durable=True)
def _change_account_again(entry: Entry) -> bool:
    user = _living_account(entry.resident)
    if user is None:
        return False
    if entry.change in (Change.NEW_PASSWORD, Change.RENEWED):
        copyable = Authenticator.objects.filter(user=user, type__in=COPYABLE_AUTHENTICATORS)
        if entry.change is Change.RENEWED and copyable.exists():
            copyable.delete()
        elif user.password == entry.detail:
            return False
        user.password = entry.detail
        user.save(update_fields=["password"])
    elif entry.change is Change.DEACTIVATED:
        if not user.is_active:
            return False
        user.is_active = False
        user.save(update_fields=["is_active"])
        identity_actions.end_access_of_deactivated_account(user=user)
    else:
        if user.is_active:
            return False
        user.is_active = True
        user.save(update_fields=["is_active"])
    record(actor=None, action=AuditAction.JOURNAL_REDO, obj=user, note=_when(entry))
    return True


def _disconnect_again(entry: Entry) -> bool:
    client = ServiceClient.objects.filter(client_id=entry.detail).first()
    # An erasure took the consents too, so a consent names a living account.
    if client is None or not Consent.objects.filter(user_id=entry.resident, client=client).exists():
        return False
    user = User.objects.get(pk=entry.resident)
    # As the resident disconnected it: every client of the service, and what they hold.
    identity_actions.disconnect_service(user=user, client=client)
    record(
        actor=None, action=AuditAction.JOURNAL_REDO, obj=user, note=f"{_when(entry)}: {client.name}"
    )
    return True


@transaction.atomic(durable=True)
def _remove_second_factor_again(entry: Entry) -> bool:
    # The archive's row of the factor, by its id. A restore numbers rows from the archive's
    # count again, so a factor added since may bear the same id: it was made after the
    # removal, which the one removed was not.
    factor = Authenticator.objects.filter(
        pk=int(entry.detail), user_id=entry.resident, created_at__lt=entry.at
    ).first()
    if factor is None:
        return False
    kind = factor.type
    factor.delete()
    record(
        actor=None,
        action=AuditAction.JOURNAL_REDO,
        obj=User.objects.get(pk=entry.resident),
        note=f"{_when(entry)}: {kind}",
    )
    return True
