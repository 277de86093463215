"""Reading the books: balances at a date, and exports to Beancount and CSV."""

import csv
import datetime
import io

from django.db.models import Sum

from solhost.core.money import format_decimal
from solhost.ledger.accounts import beancount_name
from solhost.ledger.models import Account, Posting, Transaction


def balances(*, at: datetime.date) -> dict[str, int]:
    """Every account's balance in cents at the end of day ``at`` (debit positive)."""
    rows = (
        Posting.objects.filter(transaction__date__lte=at)
        .values("account__code")
        .annotate(total=Sum("amount_cents"))
        .values_list("account__code", "total")
    )
    found = dict(rows)
    return {code: found.get(code, 0) for code in Account.objects.values_list("code", flat=True)}


def balance(code: str, *, at: datetime.date) -> int:
    """The balance in cents of the account ``code`` at the end of day ``at``; 0 for an account
    that has not been opened. Reading never opens one: pages must work on a read-only site."""
    total = Posting.objects.filter(account__code=code, transaction__date__lte=at).aggregate(
        total=Sum("amount_cents")
    )["total"]
    return total or 0


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def to_beancount(*, title: str) -> str:
    """The whole ledger as a Beancount file, in Australian dollars."""
    entries = Transaction.objects.prefetch_related("postings__account").order_by("date", "id")
    first = entries.values_list("date", flat=True).first() or datetime.date(2025, 7, 1)
    out = [f"option {_quoted('title')} {_quoted(title)}", 'option "operating_currency" "AUD"', ""]
    for account in Account.objects.order_by("code"):
        out.append(f"{first.isoformat()} open {beancount_name(account.code)} AUD")
        out.append(f"  name: {_quoted(account.name)}")
    for entry in entries:
        out.append("")
        out.append(f"{entry.date.isoformat()} * {_quoted(entry.description)}")
        out.append(f"  solhost-id: {_quoted(str(entry.pk))}")
        for posting in entry.postings.all():
            out.append(
                f"  {beancount_name(posting.account.code)}  {format_decimal(posting.amount_cents)} AUD"
            )
    return "\n".join(out) + "\n"


def to_csv() -> str:
    """One row per posting: transaction, date, description, account, cents, memo."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["transaction", "date", "description", "account", "amount_cents", "memo"])
    for posting in Posting.objects.select_related("transaction", "account").order_by(
        "transaction__date", "transaction_id", "id"
    ):
        entry = posting.transaction
        writer.writerow(
            [
                entry.pk,
                entry.date.isoformat(),
                entry.description,
                posting.account.code,
                posting.amount_cents,
                posting.memo,
            ]
        )
    return buffer.getvalue()
