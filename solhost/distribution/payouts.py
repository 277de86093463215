"""Paying partners and land back: by hand, one transfer at a time, or by a direct-entry file.

A partner's payable account (a liability) grows at every close by its net share and
shrinks with each payout. A payout may never take it below zero, on its own date or on
any later one, so a payout dated in the past cannot overdraw what a later payout
already took.

A payout batch gathers what the ledger says is owed (partners owed at least the minimum
payout, and the land back withheld, for its program) into one ABA file; marking the
batch sent posts each of its lines out of the bank, as a hand-recorded payout would.
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from solhost.contributions.models import StatementLine
from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.core.dates import day_in_words
from solhost.core.models import AuditEvent, parameter_value, values_in_force
from solhost.core.money import format_aud, format_dollars
from solhost.core.problems import InputProblems
from solhost.distribution import aba
from solhost.distribution.aba import Credit, Remitter, aba_file
from solhost.distribution.models import PartnerBankAccount, Payout, PayoutBatch, PayoutLine
from solhost.distribution.reconciliation import PAYOUT_LIKE, bank_text
from solhost.ledger import accounts
from solhost.ledger.actions import post_transaction
from solhost.ledger.books import balance
from solhost.ledger.models import Account, Posting
from solhost.partners.models import Organisation


def owed_cents(partner: Organisation, *, on: datetime.date | None = None) -> int:
    """What the steward owes ``partner`` at the end of day ``on`` (today if not given)."""
    return -balance(accounts.payable_code(partner), at=on or timezone.localdate())


def _payable_from(account: Account, day: datetime.date) -> int:
    """The least the account owes on ``day`` or any later day: what a payout then may take."""
    owed = least = -balance(account.code, at=day)
    later = (
        Posting.objects.filter(account=account, transaction__date__gt=day)
        .order_by("transaction__date", "transaction_id")
        .values_list("amount_cents", flat=True)
    )
    for cents in later:
        owed -= cents
        least = min(least, owed)
    return least


def record_payout(
    *,
    partner: Organisation,
    amount_cents: int,
    paid_on: datetime.date,
    bank_reference: str,
    token: str,
    actor,
) -> Payout | None:
    """Record a transfer to ``partner``; None if this form (``token``) was recorded before.

    Raises InputProblems naming the field at fault: an amount of zero or less, a date in
    the future, or more than the partner is owed from that date on.
    """
    problems = []
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
        problems.append(("amount", "must be more than zero"))
    if paid_on > timezone.localdate():
        problems.append(("paid_on", "is in the future"))
    if problems:
        raise InputProblems(problems)
    key = "form:" + hashlib.sha256(token.encode()).hexdigest()[:60]
    with transaction.atomic(durable=True):
        account = accounts.payable_account(partner)
        # One payout at a time per partner: two stewards paying at once cannot both spend
        # the same balance.
        Account.objects.select_for_update().get(pk=account.pk)
        if Payout.objects.filter(key=key).exists():
            return None
        payable = _payable_from(account, paid_on)
        if amount_cents > payable:
            raise InputProblems(
                [
                    (
                        "amount",
                        f"is more than the {format_dollars(payable)} AUD owed to {partner} "
                        f"from {paid_on.isoformat()} on",
                    )
                ]
            )
        entry = post_transaction(
            description=f"Payout to {partner.slug}",
            postings=[
                (account, amount_cents, bank_reference),
                (accounts.fixed_account(accounts.BANK), -amount_cents, bank_reference),
            ],
            actor=actor,
            date=paid_on,
            key=f"payout:{key}",
        )
        payout = Payout.objects.create(
            partner=partner,
            paid_on=paid_on,
            amount_cents=amount_cents,
            bank_reference=bank_reference,
            key=key,
            recorded_by=actor if getattr(actor, "pk", None) else None,
            ledger_entry=entry,
        )
        audit.record_saved(payout, actor=actor, action=AuditAction.PAYOUT)
    return payout


# The steward's bank details for direct-entry files, and the land-back program's: network
# parameters, so a change is dated and every past file can be explained.
REMITTER_PARAMETERS = {
    "institution": "payout_bank_institution",
    "user_name": "payout_bank_user_name",
    "user_id": "payout_apca_user_id",
    "bsb": "payout_bank_bsb",
    "account": "payout_bank_account",
    "name": "payout_remitter_name",
}
LAND_BACK_PARAMETERS = {
    "account_name": "land_back_program_account_name",
    "bsb": "land_back_program_bsb",
    "account": "land_back_program_account",
}


def _parameters(keys: dict[str, str], on: datetime.date) -> tuple[dict[str, str], list[str]]:
    """The values in force on ``on`` by field, and the keys that have none."""
    stored = values_in_force(keys.values(), at=on)
    found = {field: str(stored[key]) for field, key in keys.items() if key in stored}
    return found, [key for key in keys.values() if key not in stored]


def land_back_program(on: datetime.date) -> str:
    """The name of the program land back is remitted to, on ``on``."""
    return str(parameter_value("land_back_program", at=on))


def land_back_owed_cents(*, on: datetime.date) -> int:
    """Land back withheld and not yet remitted, at the end of day ``on``."""
    return -balance(accounts.LAND_BACK, at=on)


@dataclass(frozen=True)
class Owed:
    """A payee the ledger says is owed money now, and why it may stay out of a batch."""

    name: str
    amount_cents: int
    credit: Credit | None  # None when it cannot be paid by file yet
    partner: Organisation | None = None
    # Empty when it goes in the next batch; else why it does not.
    left_out: str = ""


def owed_now(on: datetime.date) -> list[Owed]:
    """Every partner owed at least the minimum payout, then land back, as the ledger says.

    A partner owed less than the minimum is carried, as at a close; one without bank
    details, and land back without its program's, are listed with the reason they wait.
    """
    minimum = int(parameter_value("min_payout_cents", at=on))
    rows = []
    payable = Account.objects.filter(code__startswith="liabilities:payable:").select_related(
        "partner__bank_account"
    )
    for account in payable.order_by("partner__name"):
        partner, cents = account.partner, -balance(account.code, at=on)
        if partner is None or cents <= 0:
            continue
        bank = getattr(partner, "bank_account", None)
        reason = ""
        if cents < minimum:
            reason = f"less than the minimum payout, {format_aud(minimum)}: carried"
        elif bank is None:
            reason = "no bank account yet: the partner enters it on its statements page"
        credit = (
            Credit(
                bank.bsb, bank.account_number, bank.account_name, cents, f"PAYOUT {partner.slug}"
            )
            if bank
            else None
        )
        rows.append(Owed(partner.name, cents, credit, partner=partner, left_out=reason))
    land_back = land_back_owed_cents(on=on)
    if land_back > 0:
        details, missing = _parameters(LAND_BACK_PARAMETERS, on)
        program = land_back_program(on)
        credit = (
            None if missing else Credit(**details, amount_cents=land_back, reference="LAND BACK")
        )
        reason = f"the program's bank details are not set ({', '.join(missing)})" if missing else ""
        rows.append(Owed(f"Land back: {program}", land_back, credit, left_out=reason))
    return rows


def waiting_for_the_bank() -> str:
    """Why no payout batch may be made yet, or "" if one may.

    After ``solhost restore`` the ledger knows nothing of the payouts sent after its archive
    was made, so it owes them again: a batch made now would pay them twice. Batches wait
    until a bank statement has been imported since the restore, which shows them. Paying
    by hand stays open: recording a transfer the bank made is how they are put back.
    """
    restore = (
        AuditEvent.objects.filter(action=AuditAction.BACKUP_RESTORE).order_by("-at", "-pk").first()
    )
    if restore is None:
        return ""
    if AuditEvent.objects.filter(action=AuditAction.STATEMENT_IMPORT, at__gt=restore.at).exists():
        return ""
    made = (restore.after or {}).get("made")
    made_on = (
        day_in_words(timezone.localtime(datetime.datetime.fromisoformat(made)).date())
        if made
        else "the day the archive was made (the audit trail's backups.restore event names it)"
    )
    return (
        f"this installation was restored on {day_in_words(timezone.localdate(restore.at))} "
        f"from an archive, which knows nothing of payouts sent after it. Import the bank's "
        f"statement from {made_on} on, record by hand each payout it shows that is missing "
        "here, and check that no open batch was sent already"
    )


def _next_batch_number() -> int:
    """One above every batch here and every batch the bank's debits name.

    After a restore the batches made since the archive are gone from here but not from the
    bank's statement: a new batch under one of their numbers would take their debits for
    its own. Always given here, not by the database, so PostgreSQL's sequence is never
    behind a number given by hand.
    """
    highest = PayoutBatch.objects.aggregate(highest=Max("pk"))["highest"] or 0
    debits = StatementLine.objects.filter(status=StatementLine.Status.DEBIT)
    for description in debits.values_list("description", flat=True):
        highest = max([highest, *(int(n) for n in PAYOUT_LIKE.findall(bank_text(description)))])
    return highest + 1


def make_payout_batch(*, process_on: datetime.date, actor) -> PayoutBatch:
    """Gather everything owed now that can be paid by file into one open batch.

    Raises InputProblems if a batch is still open (send it first), the day is in the
    past, nothing can be paid, or payouts wait for the bank after a restore.
    """
    today = timezone.localdate()
    if process_on < today:
        raise InputProblems([("process_on", "is in the past")])
    if waiting := waiting_for_the_bank():
        raise InputProblems([("batch", waiting)])
    with transaction.atomic(durable=True):
        # Payable accounts are locked so a payout recorded meanwhile cannot be paid twice.
        list(
            Account.objects.select_for_update().filter(
                Q(code__startswith="liabilities:payable:") | Q(code=accounts.LAND_BACK)
            )
        )
        open_batch = PayoutBatch.objects.filter(status=PayoutBatch.Status.OPEN).first()
        if open_batch is not None:
            raise InputProblems(
                [("batch", f"batch {open_batch.pk} is not sent yet: send it before making another")]
            )
        payable = [row for row in owed_now(today) if row.credit and not row.left_out]
        if not payable:
            raise InputProblems([("batch", "nobody is owed money that can be paid by file now")])
        batch = PayoutBatch.objects.create(
            pk=_next_batch_number(),
            process_on=process_on,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        for row in payable:
            assert row.credit is not None
            PayoutLine.objects.create(
                batch=batch,
                kind=PayoutLine.Kind.PARTNER if row.partner else PayoutLine.Kind.LAND_BACK,
                partner=row.partner,
                account_name=row.credit.account_name,
                bsb=row.credit.bsb,
                account_number=row.credit.account,
                amount_cents=row.amount_cents,
                # The batch's number lets the next bank statement's debits find their lines.
                reference=f"{row.credit.reference[:12]} B{batch.pk}",
            )
        audit.record(
            actor=actor,
            action=AuditAction.PAYOUT_BATCH,
            obj=batch,
            after={
                "process_on": process_on.isoformat(),
                "lines": [[row.name, row.amount_cents] for row in payable],
            },
        )
    return batch


def remitter(on: datetime.date) -> Remitter:
    """The steward's bank details in force on ``on``; InputProblems names each one missing."""
    details, missing = _parameters(REMITTER_PARAMETERS, on)
    if missing:
        raise InputProblems(
            [
                (key, "has no value: the steward's bank details are network parameters")
                for key in missing
            ]
        )
    return Remitter(**details)


def batch_file(batch: PayoutBatch) -> str:
    """The batch's ABA file. Raises InputProblems if the steward's bank details are not set,
    or if the batch is open and payouts wait for the bank after a restore: it was made
    before the archive, and may have been sent since."""
    if batch.status == PayoutBatch.Status.OPEN and (waiting := waiting_for_the_bank()):
        raise InputProblems([("batch", f"{batch.pk} may have been sent already, and {waiting}")])
    credits = [
        Credit(line.bsb, line.account_number, line.account_name, line.amount_cents, line.reference)
        for line in batch.lines.all()
    ]
    return aba_file(
        remitter=remitter(batch.process_on),
        credits=credits,
        description=f"PAYOUTS B{batch.pk}",
        process_on=batch.process_on,
    )


def mark_batch_sent(*, batch: PayoutBatch, sent_on: datetime.date, actor) -> bool:
    """The steward sent the batch's file to the bank: post each line out of what is owed.

    Returns False if it was already marked sent (nothing changes). Raises InputProblems,
    posting nothing, if ``sent_on`` is in the future or a line is now more than is owed
    (a payout recorded by hand since the batch was made).
    """
    if sent_on > timezone.localdate():
        raise InputProblems([("sent_on", "is in the future")])
    with transaction.atomic(durable=True):
        batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == PayoutBatch.Status.SENT:
            return False
        bank = accounts.fixed_account(accounts.BANK)
        problems = []
        for line in batch.lines.select_related("partner"):
            if line.partner is not None:
                account = accounts.payable_account(line.partner)
                description = f"Payout to {line.partner.slug} (batch {batch.pk})"
            else:
                account = accounts.fixed_account(accounts.LAND_BACK)
                description = (
                    f"Land back remitted to {land_back_program(sent_on)} (batch {batch.pk})"
                )
            Account.objects.select_for_update().get(pk=account.pk)
            payable = _payable_from(account, sent_on)
            if line.amount_cents > payable:
                problems.append(
                    (
                        f"line {line.pk} ({line.account_name})",
                        f"{format_aud(line.amount_cents)} is more than the {format_aud(payable)} "
                        f"owed from {sent_on.isoformat()} on",
                    )
                )
                continue
            line.ledger_entry = post_transaction(
                description=description,
                postings=[
                    (account, line.amount_cents, line.reference),
                    (bank, -line.amount_cents, line.reference),
                ],
                actor=actor,
                date=sent_on,
                key=f"payout-batch:{batch.pk}:{line.pk}",
            )
            line.save(update_fields=["ledger_entry"])
            if line.partner is not None:
                Payout.objects.create(
                    partner=line.partner,
                    paid_on=sent_on,
                    amount_cents=line.amount_cents,
                    bank_reference=line.reference,
                    key=f"batch:{batch.pk}:{line.pk}",
                    recorded_by=actor if getattr(actor, "pk", None) else None,
                    ledger_entry=line.ledger_entry,
                )
        if problems:
            raise InputProblems(problems)
        before = audit.snapshot(batch)
        batch.status, batch.sent_on = PayoutBatch.Status.SENT, sent_on
        batch.sent_by = actor if getattr(actor, "pk", None) else None
        batch.save()
        audit.record_saved(batch, actor=actor, action=AuditAction.PAYOUT_BATCH_SENT, before=before)
    return True


def set_bank_account(
    *, partner: Organisation, account_name: str, bsb: str, account_number: str, actor
) -> PartnerBankAccount:
    """Where ``partner`` is paid from now on; InputProblems names each field at fault.

    A batch already made keeps the details it was made with.
    """
    problems, cleaned = [], {"account_name": " ".join(account_name.split())}
    for field, read, text in (
        ("bsb", aba.bsb, bsb),
        ("account_number", aba.account_number, account_number),
    ):
        try:
            cleaned[field] = read(text)
        except ValueError as error:
            message = str(error)
            problems.append((field, f"{message[:1].upper()}{message[1:]}."))
    if not cleaned["account_name"]:
        problems.append(("account_name", "Write the account's name, as the bank has it."))
    elif len(cleaned["account_name"]) > 32:
        problems.append(
            ("account_name", "A bank file keeps 32 characters of the name: shorten it.")
        )
    if problems:
        raise InputProblems(problems)
    with transaction.atomic(durable=True):
        found = PartnerBankAccount.objects.select_for_update().filter(
            partner=partner
        ).first() or PartnerBankAccount(partner=partner)
        audit.save_audited(found, cleaned, actor=actor, action=AuditAction.BANK_ACCOUNT)
    return found
