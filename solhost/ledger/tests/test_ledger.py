import datetime
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection, transaction

from solhost.ledger import accounts
from solhost.ledger.actions import Unbalanced, post_transaction, reverse
from solhost.ledger.books import balance, balances, to_beancount, to_csv
from solhost.ledger.models import Account, Posting, Transaction

DAY = datetime.date(2026, 10, 3)


@pytest.fixture
def bank(db):
    return accounts.fixed_account(accounts.BANK)


@pytest.fixture
def income(db):
    return accounts.fixed_account(accounts.CONTRIBUTIONS)


def test_the_balance_of_an_account_never_opened_is_zero_and_reading_it_opens_none(world):
    # Pages read balances, and a site cut off from the primary serves them read-only.
    assert balance(accounts.payable_code(world.mcc), at=DAY) == 0
    assert balance(accounts.LAND_BACK, at=DAY) == 0
    assert not Account.objects.exists()


def test_a_balanced_transaction_is_posted_with_its_lines(world, bank, income):
    entry = post_transaction(
        description="Rita's contribution",
        postings=[(bank, 1200), (income, -1200)],
        actor=world.sam,
        date=DAY,
    )
    assert sorted(entry.postings.values_list("amount_cents", flat=True)) == [-1200, 1200]
    assert entry.recorded_by == world.sam


@pytest.mark.parametrize(
    "lines",
    [
        [("bank", 1200), ("income", -1199)],
        [("bank", 0), ("income", 0)],
        [("bank", 100)],
        [("bank", 1.5), ("income", -1.5)],
    ],
)
def test_an_unbalanced_transaction_is_refused_and_stores_nothing(world, bank, income, lines):
    chosen = {"bank": bank, "income": income}
    with pytest.raises(Unbalanced):
        post_transaction(
            description="bad",
            postings=[(chosen[a], c) for a, c in lines],
            actor=world.sam,
            date=DAY,
        )
    assert not Transaction.objects.exists() and not Posting.objects.exists()


def test_the_ledger_is_append_only_through_the_orm(world, bank, income):
    entry = post_transaction(
        description="x", postings=[(bank, 5), (income, -5)], actor=None, date=DAY
    )
    posting = entry.postings.first()
    for attempt in (
        entry.save,
        entry.delete,
        posting.save,
        posting.delete,
        lambda: Posting.objects.update(amount_cents=7),
        lambda: Transaction.objects.all().delete(),
    ):
        with pytest.raises(ValueError, match="append-only"):
            attempt()


def test_a_correction_is_a_reversal_and_balances_follow_the_dates(world, bank, income):
    entry = post_transaction(
        description="typo", postings=[(bank, 5000), (income, -5000)], actor=None, date=DAY
    )
    later = DAY + datetime.timedelta(days=2)
    undo = reverse(entry=entry, actor=world.sam, date=later, reason="wrong amount")
    assert undo.reverses == entry
    assert balance(bank.code, at=DAY) == 5000
    assert balance(bank.code, at=later) == 0
    assert balances(at=DAY - datetime.timedelta(days=1)) == {
        accounts.BANK: 0,
        accounts.CONTRIBUTIONS: 0,
    }
    with pytest.raises(ValueError, match="already reversed"):
        reverse(entry=entry, actor=world.sam, date=later, reason="again")


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no deferred constraint triggers; post_transaction is the guard there",
)
@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_an_unbalanced_transaction_even_from_raw_sql():
    from django.db import IntegrityError

    bank = accounts.fixed_account(accounts.BANK)
    income = accounts.fixed_account(accounts.CONTRIBUTIONS)
    with (
        pytest.raises(IntegrityError, match="does not balance"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO ledger_transaction (date, description, recorded_at) "
            "VALUES ('2026-10-03', 'sneaky', now()) RETURNING id"
        )
        (entry,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO ledger_posting (transaction_id, account_id, amount_cents, memo) "
            "VALUES (%s, %s, 100, ''), (%s, %s, -99, '')",
            [entry, bank.pk, entry, income.pk],
        )
    assert not Transaction.objects.exists()
    good = post_transaction(
        description="fine", postings=[(bank, 100), (income, -100)], actor=None, date=DAY
    )
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE ledger_posting SET amount_cents = 1 WHERE transaction_id = %s", [good.pk]
        )


def test_the_beancount_export_passes_bean_check(world, bank, income, tmp_path):
    mcc = accounts.payable_account(world.mcc)
    post_transaction(
        description='Rita "R" pays', postings=[(bank, 1234), (income, -1234)], actor=None, date=DAY
    )
    post_transaction(
        description="Close 2026-10", postings=[(income, 1234), (mcc, -1234)], actor=None, date=DAY
    )
    ledger = tmp_path / "books.beancount"
    ledger.write_text(to_beancount(title="Test region"))
    assert "Liabilities:Payable:Mcc  -12.34 AUD" in ledger.read_text()
    checker = Path(sys.executable).with_name("bean-check")
    run = subprocess.run([str(checker), str(ledger)], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_csv_export_has_one_row_per_posting(world, bank, income):
    post_transaction(
        description="Pays, with comma", postings=[(bank, 5), (income, -5)], actor=None, date=DAY
    )
    lines = to_csv().splitlines()
    assert lines[0] == "transaction,date,description,account,amount_cents,memo"
    assert len(lines) == 3 and '"Pays, with comma"' in lines[1]


def test_the_export_command_writes_beancount_or_csv(world, bank, income, capsys):
    from django.core.management import call_command

    post_transaction(description="Pays", postings=[(bank, 5), (income, -5)], actor=None, date=DAY)
    call_command("ledger-export")
    assert 'option "title" "Test Region steward"' in capsys.readouterr().out
    call_command("ledger-export", "--format", "csv")
    assert capsys.readouterr().out.startswith("transaction,date,description")
