"""Importing bank statements into payments, the queue and debits, all or nothing."""

import datetime
from pathlib import Path

import pytest

from solhost.contributions import queries
from solhost.contributions.models import CsvMapping, Payment, PaymentReference, StatementLine
from solhost.contributions.statement_actions import (
    Decision,
    decide_statement_line,
    import_statement,
    mapping_choices,
)
from solhost.core.models import AuditEvent
from solhost.core.problems import InputProblems
from solhost.ledger import accounts
from solhost.ledger.books import balance
from solhost.metering.models import FrozenPeriod

FILES = Path(__file__).parent / "statements"
END = datetime.date(2026, 10, 31)


@pytest.fixture
def rita_reference(world):
    return PaymentReference.objects.create(
        code="R-7KQ2M9XA", purpose=PaymentReference.Purpose.RESIDENT, resident=world.rita
    )


def load(name: str, world, **options):
    return import_statement(data=(FILES / name).read_bytes(), actor=world.sam, **options)


def test_a_camt053_statement_becomes_payments_a_queue_and_debits(world, rita_reference):
    result = load("camt053-october.xml", world)
    assert (result.format, result.new, result.already) == ("camt053", 4, 0)
    assert (result.payments, result.unmatched, result.debits) == (2, 1, 1)
    rita = Payment.objects.get(reference=rita_reference)
    assert (rita.amount_cents, rita.received_on, rita.source) == (
        2500,
        datetime.date(2026, 10, 3),
        Payment.Source.BANK,
    )
    gift = Payment.objects.get(reference__code="SOLIDARITY")
    assert gift.amount_cents == 5000
    assert balance(accounts.BANK, at=END) == 7500
    assert balance(accounts.SOLIDARITY, at=END) == -5000
    (queued,) = StatementLine.objects.filter(status=StatementLine.Status.QUEUED)
    assert queued.description == "DIRECT CREDIT J NGUYEN FOR THE WIKI"
    (debit,) = queries.statement_debits()
    assert (debit.amount_cents, debit.bank_id) == (
        -48000,
        "camt:633000123456789:DE2026101200009001",
    )
    event = AuditEvent.objects.get(action="contributions.statement.import")
    assert "4 new lines (2 payments, 1 unmatched, 1 debits)" in event.note


@pytest.mark.parametrize(
    ("first", "overlap", "options", "known"),
    [
        ("camt053-october.xml", "camt053-october-overlap.xml", {}, 2),
        ("ofx-october.ofx", "ofx-october-overlap.ofx", {}, 2),
        ("commbank-october.csv", "commbank-october-overlap.csv", {"mapping": "commbank"}, 3),
    ],
)
def test_importing_again_or_an_overlapping_statement_adds_only_the_new_lines(
    world, rita_reference, first, overlap, options, known
):
    before = load(first, world, **options)
    again = load(first, world, **options)
    assert (again.new, again.already) == (0, before.new)
    lines, payments = StatementLine.objects.count(), Payment.objects.count()
    later = load(overlap, world, **options)
    assert (later.new, later.already) == (1, known)
    assert StatementLine.objects.count() == lines + later.new
    assert Payment.objects.count() == payments + later.payments
    # Every overlap brings one new credit naming Rita or the solidarity fund.
    assert later.payments == 1 and later.new == later.payments


def test_the_fifth_line_bad_stores_nothing_of_the_first_four(world, rita_reference):
    with pytest.raises(InputProblems) as error:
        load("commbank-malformed.csv", world, mapping="commbank")
    assert error.value.problems[0][0] == "line 5, column 1"
    assert not StatementLine.objects.exists() and not Payment.objects.exists()
    assert not AuditEvent.objects.filter(action="contributions.statement.import").exists()


def test_a_malformed_ofx_or_camt053_stores_nothing(world, rita_reference):
    for name in ("ofx-malformed.ofx", "camt053-malformed.xml"):
        with pytest.raises(InputProblems):
            load(name, world)
    assert not StatementLine.objects.exists() and not Payment.objects.exists()


def test_an_unknown_mapping_is_named(world):
    with pytest.raises(InputProblems, match="there is no mapping 'kiwibank'"):
        load("commbank-october.csv", world, mapping="kiwibank")


def test_a_saved_mapping_reads_its_banks_layout(world, rita_reference):
    CsvMapping.objects.create(
        name="bank-australia",
        label="Bank Australia",
        date_column=2,
        date_format="%Y-%m-%d",
        description_columns="3,4",
        amount_column=1,
    )
    assert ("bank-australia", "Bank Australia") in mapping_choices()
    text = b"Amount,Date,Payer,Reference\n25.00,2026-10-03,R MORALES,R-7KQ2M9XA\n"
    result = import_statement(data=text, actor=world.sam, mapping="bank-australia")
    assert result.payments == 1
    assert Payment.objects.get().reference == rita_reference


def test_a_matched_credit_in_a_closed_month_waits_for_the_steward(world, rita_reference):
    FrozenPeriod.objects.create(period="2026-10")
    result = load("camt053-october.xml", world)
    assert (result.payments, result.unmatched) == (0, 3)
    line = StatementLine.objects.filter(status=StatementLine.Status.QUEUED).first()
    with pytest.raises(InputProblems, match="period 2026-10 is closed"):
        decide_statement_line(line=line, decision=Decision.GIFT, actor=world.sam)
    decide_statement_line(line=line, decision=Decision.NOT_OURS, actor=world.sam)


def test_the_steward_assigns_queued_lines(world, rita_reference):
    load("ofx-october.ofx", world)
    (wiki,) = StatementLine.objects.filter(status=StatementLine.Status.QUEUED)
    decided = decide_statement_line(
        line=wiki, decision=Decision.RESIDENT, resident=world.bob, actor=world.sam
    )
    assert decided.status == StatementLine.Status.PAYMENT
    assert decided.payment.reference.resident == world.bob
    assert decided.payment.amount_cents == 1200 and decided.decided_by == world.sam
    event = AuditEvent.objects.get(action="contributions.statement_line.decide")
    assert event.before["status"] == "queued" and event.after["status"] == "payment"
    with pytest.raises(InputProblems, match="already decided: recorded as a payment"):
        decide_statement_line(line=wiki, decision=Decision.NOT_OURS, actor=world.sam)
    assert Payment.objects.filter(reference__resident=world.bob).count() == 1


def test_a_gift_goes_to_the_solidarity_fund_and_not_ours_is_kept_marked(world, rita_reference):
    load("commbank-october.csv", world, mapping="commbank")
    text = b'16/10/2026,"+7.00","REFUND FROM COUNCIL","+813.35"\n'
    import_statement(data=text, actor=world.sam, mapping="commbank")
    wiki, council = StatementLine.objects.filter(status=StatementLine.Status.QUEUED)
    decide_statement_line(line=wiki, decision=Decision.GIFT, actor=world.sam)
    decide_statement_line(line=council, decision=Decision.NOT_OURS, actor=world.sam)
    assert balance(accounts.SOLIDARITY, at=END) == -(5000 + 1200)
    council.refresh_from_db()
    assert council.status == StatementLine.Status.NOT_OURS and council.payment is None
    with pytest.raises(InputProblems, match="name the resident"):
        decide_statement_line(line=council, decision=Decision.RESIDENT, actor=world.sam)
