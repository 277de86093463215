"""Payouts reconciled from the statement debits that carry their lodgement references."""

import pytest
from django.urls import reverse
from django.utils import timezone

from solhost.contributions.models import StatementLine
from solhost.contributions.statement_actions import import_statement
from solhost.core.models import AuditEvent
from solhost.distribution.models import PayoutLine
from solhost.distribution.payouts import make_payout_batch, mark_batch_sent
from solhost.distribution.reconciliation import PAYOUT_LIKE, _names, bank_text
from solhost.distribution.tests.test_payout_batches import owed  # noqa: F401
from solhost.web.tests.pages import assert_clean_page


@pytest.fixture
def sent(owed):  # noqa: F811
    """A batch of three credits (two partners and the land back), sent to the bank."""
    world = owed
    on = timezone.localdate()
    batch = make_payout_batch(process_on=on, actor=world.sam)
    mark_batch_sent(batch=batch, sent_on=on, actor=world.sam)
    lines = {line.partner.slug if line.partner else "land back": line for line in batch.lines.all()}
    return world, batch, lines


def debit(on, cents: int, description: str) -> str:
    """A CommBank CSV row: day, signed amount, description, balance."""
    return f'{on:%d/%m/%Y},"-{cents / 100:.2f}","{description}","+100.00"\n'


def statement(rows: list[str]) -> bytes:
    return "".join(rows).encode()


def test_debits_with_a_lines_reference_and_amount_reconcile_it(sent):
    world, batch, lines = sent
    on = timezone.localdate()
    mcc, cct, land_back = lines[world.mcc.slug], lines[world.cct.slug], lines["land back"]
    data = statement(
        [
            debit(on, mcc.amount_cents, f"TRANSFER TO {mcc.account_name} {mcc.reference.upper()}"),
            debit(on, land_back.amount_cents, f"DIRECT DEBIT land  back  B{batch.pk} PTR"),
            debit(on, cct.amount_cents + 100, f"TRANSFER {cct.reference}"),
            debit(on, 250, "ACCOUNT FEE"),
        ]
    )
    import_statement(data=data, actor=world.sam, mapping="commbank")
    mcc.refresh_from_db(), cct.refresh_from_db(), land_back.refresh_from_db()
    assert mcc.reconciled_on == on and mcc.statement_line.amount_cents == -mcc.amount_cents
    assert land_back.reconciled_on == on
    assert cct.reconciled_on is None and cct.statement_line is None
    assert AuditEvent.objects.filter(action="distribution.payout_line.reconcile").count() == 2

    flagged = StatementLine.objects.exclude(flag="").get()
    assert flagged.amount_cents == -(cct.amount_cents + 100)
    assert f"batch {batch.pk} has" in flagged.flag and cct.reference in flagged.flag
    assert AuditEvent.objects.get(action="distribution.payout_debit.flag").note == flagged.flag
    # The fee names no payout, so nothing is said about it.
    assert not StatementLine.objects.filter(description="ACCOUNT FEE").exclude(flag="").exists()

    # The same statement again adds nothing and reconciles nothing twice.
    import_statement(data=data, actor=world.sam, mapping="commbank")
    assert AuditEvent.objects.filter(action="distribution.payout_line.reconcile").count() == 2


def test_the_batch_page_says_how_many_are_reconciled_and_what_to_look_at(sent, client):
    world, batch, lines = sent
    on = timezone.localdate()
    mcc, cct = lines[world.mcc.slug], lines[world.cct.slug]
    data = statement(
        [
            debit(on, mcc.amount_cents, mcc.reference),
            debit(on, 999, f"{cct.reference} PART"),
        ]
    )
    import_statement(data=data, actor=world.sam, mapping="commbank")
    client.force_login(world.sam)
    page = client.get(reverse("distribution:batch", args=[batch.pk]))
    assert_clean_page(page)
    html = page.content.decode()
    assert "Reconciled 1 of 3 with the bank statement" in html
    assert "Debits to look at" in html and "the bank paid $9.99, but batch" in html


def test_a_second_debit_for_a_reconciled_line_is_flagged(sent):
    world, _, lines = sent
    on = timezone.localdate()
    mcc = lines[world.mcc.slug]
    import_statement(
        data=statement([debit(on, mcc.amount_cents, mcc.reference)]),
        actor=world.sam,
        mapping="commbank",
    )
    import_statement(
        data=statement([debit(on, mcc.amount_cents, f"AGAIN {mcc.reference}")]),
        actor=world.sam,
        mapping="commbank",
    )
    again = StatementLine.objects.get(description__startswith="AGAIN")
    assert "was already reconciled by the debit of" in again.flag
    assert PayoutLine.objects.get(pk=mcc.pk).statement_line.description == mcc.reference


def test_a_batch_not_marked_sent_is_not_reconciled_but_flagged(owed):  # noqa: F811
    world = owed
    on = timezone.localdate()
    batch = make_payout_batch(process_on=on, actor=world.sam)
    line = batch.lines.first()
    import_statement(
        data=statement([debit(on, line.amount_cents, line.reference)]),
        actor=world.sam,
        mapping="commbank",
    )
    line.refresh_from_db()
    assert line.reconciled_on is None
    assert "is not marked sent" in StatementLine.objects.get().flag


def test_an_unknown_payout_reference_is_flagged_and_a_plain_debit_is_not(world):
    on = timezone.localdate()
    import_statement(
        data=statement([debit(on, 500, "PAYOUT nobody B77"), debit(on, 480, "PAYOUT 2026-09")]),
        actor=world.sam,
        mapping="commbank",
    )
    plain, flagged = StatementLine.objects.order_by("description")
    assert flagged.flag == "names a payout batch, but no line of it has this reference"
    assert plain.flag == ""


def test_a_reference_stands_whole_in_the_description():
    assert _names(bank_text("transfer payout mcc b1 thanks"), "PAYOUT mcc B1")
    assert not _names(bank_text("TRANSFER PAYOUT MCC B12"), "PAYOUT mcc B1")
    assert PAYOUT_LIKE.findall("LAND BACK B3 AND PAYOUT X B4") == ["3", "4"]
