"""The ledger's rules hold whoever writes: plain SQL on PostgreSQL, any ORM path on both."""

import datetime

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from solhost.ledger import accounts
from solhost.ledger.actions import post_transaction
from solhost.ledger.models import Posting, Transaction, writing

DAY = datetime.date(2026, 10, 3)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the rules in SQL are PostgreSQL triggers; SQLite relies on the models' guards",
)


@pytest.fixture
def books(db):
    bank = accounts.fixed_account(accounts.BANK)
    income = accounts.fixed_account(accounts.CONTRIBUTIONS)
    entry = post_transaction(
        description="Rita pays", postings=[(bank, 1200), (income, -1200)], actor=None, date=DAY
    )
    return bank, income, entry


@pytest.fixture
def checked(books):
    """The books with their deferred checks run, as at COMMIT: TRUNCATE waits for none."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return books


def insert_transaction(cursor, description="raw") -> int:
    cursor.execute(
        "INSERT INTO ledger_transaction (date, description, recorded_at) "
        "VALUES ('2026-10-03', %s, now()) RETURNING id",
        [description],
    )
    return cursor.fetchone()[0]


def insert_postings(cursor, entry: int, bank, income, cents: int = 100) -> None:
    cursor.execute(
        "INSERT INTO ledger_posting (transaction_id, account_id, amount_cents, memo) "
        "VALUES (%s, %s, %s, ''), (%s, %s, %s, '')",
        [entry, bank.pk, cents, entry, income.pk, -cents],
    )


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_to_commit_a_transaction_without_postings():
    with (
        pytest.raises(IntegrityError, match="has 0 postings: a transaction needs two or more"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        insert_transaction(cursor, "empty")
    assert not Transaction.objects.exists()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_postings_added_to_a_committed_transaction(books):
    bank, income, entry = books
    with (
        pytest.raises(DatabaseError, match=f"transaction {entry.pk} was not written in this"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        insert_postings(cursor, entry.pk, bank, income)
    assert entry.postings.count() == 2


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_postgresql_takes_a_transaction_and_its_postings_written_together_across_savepoints():
    bank = accounts.fixed_account(accounts.BANK)
    income = accounts.fixed_account(accounts.CONTRIBUTIONS)
    with transaction.atomic(), connection.cursor() as cursor:
        with transaction.atomic():
            entry = insert_transaction(cursor)
        with transaction.atomic():
            insert_postings(cursor, entry, bank, income)
    assert Posting.objects.filter(transaction_id=entry).count() == 2


@postgresql_only
@pytest.mark.parametrize("table", ["ledger_posting", "ledger_transaction"])
def test_postgresql_refuses_to_truncate_the_ledger(checked, table):
    with (
        pytest.raises(DatabaseError, match=f"append-only \\(TRUNCATE on {table}\\)"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"TRUNCATE {table} CASCADE")
    assert Posting.objects.count() == 2


@postgresql_only
def test_flush_still_erases_the_whole_database_with_the_ledger(checked):
    call_command("flush", interactive=False, verbosity=0)
    assert not Transaction.objects.exists() and not Posting.objects.exists()


def test_no_posting_joins_a_stored_transaction_through_the_orm(books):
    bank, income, entry = books
    for attempt in (
        lambda: Posting.objects.create(transaction=entry, account=bank, amount_cents=5),
        lambda: entry.postings.create(account=income, amount_cents=-5),
        lambda: Posting.objects.bulk_create(
            [
                Posting(transaction=entry, account=bank, amount_cents=5),
                Posting(transaction=entry, account=income, amount_cents=-5),
            ]
        ),
    ):
        with pytest.raises(ValueError, match=f"not transaction {entry.pk}: post a new"):
            attempt()
    with pytest.raises(ValueError, match=f"transaction {entry.pk} is already stored"):
        writing(entry).__enter__()
    assert entry.postings.count() == 2


def test_no_transaction_is_stored_but_with_its_postings(books):
    fields = {"date": DAY, "description": "no lines"}
    for attempt in (
        lambda: Transaction.objects.create(**fields),
        lambda: Transaction.objects.bulk_create([Transaction(**fields)]),
    ):
        with pytest.raises(ValueError, match="written with its postings by post_transaction"):
            attempt()
    assert Transaction.objects.count() == 1
