"""The write path for bank statements: importing one, and the steward's queue decisions.

An import is all or nothing: a bad file is refused with its problems and stores nothing.
Each line is stored once, by its bank id; credits whose payer's reference is in the
description become payments through the same path as typed and CSV payments
(``actions._store_payments``), other credits wait in the queue, and debits are kept and
announced (``statement_debits_imported``) so that payouts can be reconciled against them.
"""

import hashlib
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from solhost.contributions.actions import (
    _closed_reasons,
    _store_payments,
    reference_for_resident,
    solidarity_reference,
)
from solhost.contributions.models import CsvMapping, Payment, PaymentReference, StatementLine
from solhost.contributions.payments_csv import PaymentLine
from solhost.contributions.signals import statement_debits_imported
from solhost.contributions.statements import StatementLine as ReadLine
from solhost.contributions.statements.bank_csv import PRESETS, CsvLayout
from solhost.contributions.statements.reading import read_statement
from solhost.contributions.statements.references import find_reference, reference_index
from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.core.problems import InputProblems
from solhost.identity.models import User
from solhost.metering.periods import period_of


@dataclass(frozen=True)
class StatementResult:
    """What an import did: lines new to the region and already known, and what became of
    the new ones."""

    format: str
    new: int
    already: int
    payments: int
    unmatched: int
    debits: int

    def summary(self) -> str:
        """``4 new lines (2 payments recorded, 1 unmatched, 1 debit); 0 already known``."""
        return (
            f"{_count(self.new, 'new line')} ({_count(self.payments, 'payment')} recorded, "
            f"{self.unmatched} unmatched, {_count(self.debits, 'debit')}); "
            f"{self.already} already known"
        )


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


class Decision(StrEnum):
    RESIDENT = "resident"
    GIFT = "gift"
    NOT_OURS = "not_ours"


def mapping_choices() -> list[tuple[str, str]]:
    """Every CSV mapping by name: the presets, then the steward's saved ones."""
    saved = [(m.name, m.label) for m in CsvMapping.objects.all()]
    return [(name, preset.label) for name, preset in PRESETS.items()] + saved


def mapping_named(name: str) -> CsvLayout:
    if name in PRESETS:
        return PRESETS[name]
    saved = CsvMapping.objects.filter(name=name).first()
    if saved is None:
        names = ", ".join(name for name, _ in mapping_choices())
        raise InputProblems([("mapping", f"there is no mapping {name!r}; choose one of {names}")])
    return saved.layout()


def _payment_key(bank_id: str) -> str:
    return "bank:" + hashlib.sha256(bank_id.encode()).hexdigest()[:60]


def import_statement(*, data: bytes, actor, format: str = "", mapping: str = "") -> StatementResult:
    """Store every line of the statement not stored before; InputProblems if the file is bad.

    ``format`` is camt053, ofx or csv, or empty to detect it; a CSV needs ``mapping``, the
    name of a preset or of a saved mapping.
    """
    layout = mapping_named(mapping) if mapping else None
    kind, read = read_statement(data, today=timezone.localdate(), format=format, mapping=layout)
    with transaction.atomic(durable=True):
        known = set(
            StatementLine.objects.filter(bank_id__in=[x.bank_id for x in read]).values_list(
                "bank_id", flat=True
            )
        )
        fresh: dict[str, ReadLine] = {}
        for line in read:
            if line.bank_id not in known:
                fresh.setdefault(line.bank_id, line)
        # Anyone may write SOLIDARITY on a transfer, before any gift made its reference.
        solidarity_reference()
        references = {r.code: r for r in PaymentReference.objects.all()}
        index = reference_index(references)
        matched = {
            line.bank_id: code
            for line in fresh.values()
            if line.amount_cents > 0
            and (code := find_reference(line.description, index)) is not None
        }
        # A payment cannot be dated in a month already split; the steward decides those.
        closed = _closed_reasons(fresh[bank_id].booked_on for bank_id in matched)
        matched = {
            bank_id: code
            for bank_id, code in matched.items()
            if period_of(fresh[bank_id].booked_on) not in closed
        }
        stored = _store_payments(
            [
                PaymentLine(
                    line.booked_on,
                    matched[line.bank_id],
                    line.amount_cents,
                    _payment_key(line.bank_id),
                )
                for line in fresh.values()
                if line.bank_id in matched
            ],
            references,
            actor=actor,
            source=Payment.Source.BANK,
        )
        payments = {payment.key: payment for payment in stored}
        rows = []
        for line in fresh.values():
            payment = payments.get(_payment_key(line.bank_id)) if line.bank_id in matched else None
            if line.amount_cents < 0:
                status = StatementLine.Status.DEBIT
            else:
                status = StatementLine.Status.PAYMENT if payment else StatementLine.Status.QUEUED
            rows.append(
                StatementLine(
                    bank_id=line.bank_id,
                    booked_on=line.booked_on,
                    amount_cents=line.amount_cents,
                    description=line.description[:500],
                    format=kind,
                    status=status,
                    payment=payment,
                    imported_by=actor if getattr(actor, "pk", None) else None,
                )
            )
        StatementLine.objects.bulk_create(rows)
        statement_debits_imported.send(
            sender=StatementLine,
            lines=[row for row in rows if row.status == StatementLine.Status.DEBIT],
            actor=actor,
        )
        result = StatementResult(
            format=kind,
            new=len(rows),
            already=len(read) - len(rows),
            payments=sum(row.status == StatementLine.Status.PAYMENT for row in rows),
            unmatched=sum(row.status == StatementLine.Status.QUEUED for row in rows),
            debits=sum(row.status == StatementLine.Status.DEBIT for row in rows),
        )
        audit.record(
            actor=actor,
            action=AuditAction.STATEMENT_IMPORT,
            note=(
                f"{kind}{f' ({mapping})' if mapping else ''}: {result.new} new lines "
                f"({result.payments} payments, {result.unmatched} unmatched, "
                f"{result.debits} debits), {result.already} already known"
            ),
        )
    return result


def decide_statement_line(
    *, line: StatementLine, decision: Decision, resident: User | None = None, actor
) -> StatementLine:
    """The steward says what a queued credit is: a resident's payment, a gift to the
    solidarity fund (both recorded as payments), or not the region's money (kept, marked).

    Raises InputProblems when the line was decided already, a resident is missing, or the
    line's month is closed.
    """
    if decision is Decision.RESIDENT and resident is None:
        raise InputProblems([("resident", "name the resident whose payment this is")])
    with transaction.atomic(durable=True):
        line = StatementLine.objects.select_for_update().get(pk=line.pk)
        if line.status != StatementLine.Status.QUEUED:
            raise InputProblems(
                [("line", f"was already decided: {line.get_status_display().lower()}")]
            )
        before = audit.snapshot(line)
        if decision is Decision.NOT_OURS:
            line.status = StatementLine.Status.NOT_OURS
        else:
            if closed := _closed_reasons([line.booked_on]):
                raise InputProblems([("line", reason) for reason in closed.values()])
            reference = (
                solidarity_reference()
                if decision is Decision.GIFT
                else reference_for_resident(resident)
            )
            (line.payment,) = _store_payments(
                [
                    PaymentLine(
                        line.booked_on,
                        reference.code,
                        line.amount_cents,
                        _payment_key(line.bank_id),
                    )
                ],
                {reference.code: reference},
                actor=actor,
                source=Payment.Source.BANK,
            )
            line.status = StatementLine.Status.PAYMENT
        line.decided_by = actor
        line.decided_at = timezone.now()
        line.save()
        audit.record(
            actor=actor,
            action=AuditAction.STATEMENT_LINE_DECIDE,
            obj=line,
            before=before,
            after=audit.snapshot(line),
            note=str(decision),
        )
    return line
