"""The write path for contributions: choices, sponsored seats and recorded payments.

Payments are idempotent: each has a key derived from what identifies it (a CSV line's,
see ``payments_csv``; a form's one-time token), so recording the same payment again
changes nothing. A CSV import is all or nothing: any problem, reported with its line,
stores no line.
"""

import datetime
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from solhost.contributions.models import (
    ContributionChoice,
    Payment,
    PaymentReference,
    SponsoredSeat,
)
from solhost.contributions.payments_csv import PaymentLine, parse_payments_csv
from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.core.models import parameter_value
from solhost.core.money import format_aud
from solhost.core.problems import InputProblems
from solhost.identity.models import User
from solhost.ledger import accounts
from solhost.ledger.actions import post_transaction
from solhost.metering.models import FrozenPeriod
from solhost.metering.periods import period_of
from solhost.partners.models import Organisation

# Gifts to the solidarity fund need no account: anyone writes this on the transfer.
SOLIDARITY_REFERENCE = "SOLIDARITY"
# Letters and digits that cannot be mistaken for each other when read aloud or typed.
_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"


def _new_code(prefix: str) -> str:
    return prefix + "-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))


def _reference(**owner) -> PaymentReference:
    found = PaymentReference.objects.filter(**owner).first()
    if found:
        return found
    purpose = "resident" if "resident" in owner else "sponsor"
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return PaymentReference.objects.create(
                    code=_new_code("R" if purpose == "resident" else "S"), purpose=purpose, **owner
                )
        except IntegrityError:
            # Either the random code was taken or a concurrent request made this payer's.
            found = PaymentReference.objects.filter(**owner).first()
            if found:
                return found
    raise RuntimeError("could not find a free payment reference")


def reference_for_resident(resident: User) -> PaymentReference:
    """The resident's own payment reference, made the first time it is asked for."""
    return _reference(resident=resident)


def reference_for_sponsor(organisation: Organisation) -> PaymentReference:
    return _reference(organisation=organisation)


def solidarity_reference() -> PaymentReference:
    reference, _ = PaymentReference.objects.get_or_create(
        code=SOLIDARITY_REFERENCE, defaults={"purpose": PaymentReference.Purpose.SOLIDARITY}
    )
    return reference


def choose_contribution(*, resident: User, monthly_cents: int, actor) -> ContributionChoice:
    """Record the resident's monthly contribution: a tier or any amount; 0 is always fine."""
    if isinstance(monthly_cents, bool) or not isinstance(monthly_cents, int) or monthly_cents < 0:
        raise ValueError("a monthly contribution is a whole number of cents, zero or more")
    ceiling = int(parameter_value("contribution_max_cents", at=timezone.localdate()))
    if monthly_cents > ceiling:
        raise ValueError(
            f"{format_aud(monthly_cents)} a month is more than the largest contribution, "
            f"{format_aud(ceiling)}; write to the steward to give more"
        )
    choice = ContributionChoice(resident=resident)
    with transaction.atomic():
        audit.save_audited(
            choice,
            {"monthly_cents": monthly_cents},
            actor=actor,
            action=AuditAction.CONTRIBUTION_CHOOSE,
        )
        reference_for_resident(resident)
    return choice


def sponsor_seat(
    *, organisation: Organisation, resident: User, monthly_cents: int, actor
) -> SponsoredSeat:
    """The organisation pays ``monthly_cents`` for one of its members' seats."""
    if not organisation.memberships.filter(user=resident).exists():
        raise ValueError(
            f"{resident} is not a member of {organisation}: only members' seats can be sponsored"
        )
    if isinstance(monthly_cents, bool) or not isinstance(monthly_cents, int) or monthly_cents <= 0:
        raise ValueError("a sponsored seat costs a whole number of cents, more than zero")
    with transaction.atomic(durable=True):
        seat = (
            SponsoredSeat.objects.select_for_update()
            .filter(organisation=organisation, resident=resident)
            .first()
        ) or SponsoredSeat(organisation=organisation, resident=resident)
        audit.save_audited(
            seat, {"monthly_cents": monthly_cents}, actor=actor, action=AuditAction.SEAT_SPONSOR
        )
        reference_for_sponsor(organisation)
    return seat


def stop_sponsoring_seat(*, organisation: Organisation, resident: User, actor) -> None:
    """The organisation stops paying for the member's seat.

    Closed periods keep their split; the organisation's payments in a period not yet
    closed are shared over the seats it still sponsors when that period closes.
    """
    with transaction.atomic(durable=True):
        seat = (
            SponsoredSeat.objects.select_for_update()
            .filter(organisation=organisation, resident=resident)
            .first()
        )
        if seat is None:
            raise ValueError(f"{organisation} does not sponsor {resident}'s seat")
        audit.record(
            actor=actor, action=AuditAction.SEAT_STOP, obj=seat, before=audit.snapshot(seat)
        )
        seat.delete()


def _closed_reasons(days: Iterable[datetime.date]) -> dict[str, str]:
    """Why payments on these days cannot be recorded: ``{period: reason}`` for closed periods."""
    periods = {period_of(day) for day in days}
    return {
        period: f"period {period} is closed and split; date the payment in an open period"
        for period in FrozenPeriod.objects.filter(period__in=periods).values_list(
            "period", flat=True
        )
    }


def _store_payments(
    lines: list[PaymentLine], references: dict[str, PaymentReference], *, actor, source: str
) -> list[Payment]:
    """Store each line not stored before, with its ledger entry; the payments stored now.

    Call inside a transaction. Raises InputProblems, undoing everything, if a period of these
    lines was closed by a close that committed after the caller checked.
    """
    known = set(
        Payment.objects.filter(key__in=[x.key for x in lines]).values_list("key", flat=True)
    )
    bank = accounts.fixed_account(accounts.BANK)
    solidarity = accounts.fixed_account(accounts.SOLIDARITY)
    contributions = accounts.fixed_account(accounts.CONTRIBUTIONS)
    stored = []
    for line in lines:
        if line.key in known:
            continue
        known.add(line.key)
        reference = references[line.reference]
        gift = reference.purpose == PaymentReference.Purpose.SOLIDARITY
        entry = post_transaction(
            description=f"Payment {reference.code}",
            postings=[
                (bank, line.amount_cents),
                (solidarity if gift else contributions, -line.amount_cents),
            ],
            actor=actor,
            date=line.received_on,
            key=f"payment:{line.key}",
        )
        payment = Payment.objects.create(
            reference=reference,
            received_on=line.received_on,
            amount_cents=line.amount_cents,
            key=line.key,
            source=source,
            recorded_by=actor if getattr(actor, "pk", None) else None,
            ledger_entry=entry,
        )
        audit.record_saved(payment, actor=actor, action=AuditAction.PAYMENT)
        stored.append(payment)
    # A close may have committed between the caller's check and the first insert; once a
    # payment is in, a close waits for this transaction (it locks the payments table).
    if stored and (closed := _closed_reasons(p.received_on for p in stored)):
        raise InputProblems(
            [
                (f"line {line.line}, date" if line.line else "received_on", closed[period])
                for line in lines
                if (period := period_of(line.received_on)) in closed
            ]
        )
    return stored


def record_payment(
    *, received_on: datetime.date, reference: str, amount_cents: int, token: str, actor
) -> Payment | None:
    """Record one payment typed in by the steward; ``token`` is the form's one-time token.

    Returns the payment, or None when this form was already submitted. Raises InputProblems
    naming the field at fault.
    """
    problems = []
    found = PaymentReference.objects.filter(code=reference.strip().upper()).first()
    if found is None:
        problems.append(("reference", f"no payer has the reference {reference!r}"))
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
        problems.append(("amount", "must be more than zero"))
    if received_on > timezone.localdate():
        problems.append(("received_on", "is in the future"))
    elif closed := _closed_reasons([received_on]):
        problems.extend(("received_on", reason) for reason in closed.values())
    if problems:
        raise InputProblems(problems)
    assert found is not None
    key = "form:" + hashlib.sha256(token.encode()).hexdigest()[:60]
    with transaction.atomic():
        stored = _store_payments(
            [PaymentLine(received_on, found.code, amount_cents, key)],
            {found.code: found},
            actor=actor,
            source=Payment.Source.FORM,
        )
    return stored[0] if stored else None


@dataclass(frozen=True)
class ImportResult:
    stored: int
    already: int


def import_payments_csv(*, text: str, actor) -> ImportResult:
    """Record every payment of a bank CSV, or none: InputProblems lists each bad line.

    Unknown references and closed periods are listed with the file's own problems, in line
    order, so one round of corrections is enough.
    """
    found = parse_payments_csv(text, today=timezone.localdate())
    codes = {code for _, _, code in found.named if code}
    references = {r.code: r for r in PaymentReference.objects.filter(code__in=codes)}
    closed = _closed_reasons(day for _, day, _ in found.named if day is not None)
    problems = list(found.problems)
    for number, day, code in found.named:
        if code and code not in references:
            problems.append(
                (number, f"line {number}, reference", f"no payer has the reference {code!r}")
            )
        if day is not None and (period := period_of(day)) in closed:
            problems.append((number, f"line {number}, date", closed[period]))
    if problems:
        # The sort is stable: within a line, the file's problems come first.
        problems.sort(key=lambda problem: problem[0])
        raise InputProblems([(where, message) for _, where, message in problems])
    with transaction.atomic(durable=True):
        stored = _store_payments(found.lines, references, actor=actor, source=Payment.Source.CSV)
    return ImportResult(stored=len(stored), already=len(found.lines) - len(stored))
