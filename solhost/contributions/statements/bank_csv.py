"""Banks' CSV exports, read through a named column mapping. Pure: no Django.

Each bank lays its CSV out its own way, so a ``CsvLayout`` says which column (counted
from 1, as a spreadsheet shows them) holds the date, the amount (one signed column, or
separate debit and credit columns), the description and, where the bank gives them, the
running balance, the bank's own transaction id and the currency.

A line's ``bank_id`` is the bank's id when the mapping names one; otherwise the SHA-256 of
``date|amount in cents|description|balance|occurrence``, where ``occurrence`` counts the
lines of the file identical in all four (1 for the first). With a running balance two
lines never share the first four, so any overlap of two exports is recognised; without
one, an overlap is recognised when it covers whole days.
"""

import datetime
import re
from dataclasses import dataclass

from solhost.contributions.statements import StatementLine, line_hash
from solhost.core.csv_text import csv_records
from solhost.core.problems import InputProblems

_AMOUNT = re.compile(r"([+-])?(\d+)(?:\.(\d{1,2}))?")


@dataclass(frozen=True)
class CsvLayout:
    """Where a bank's CSV keeps each thing; columns count from 1, None when it has none."""

    name: str
    label: str
    date_column: int
    date_format: str
    description_columns: tuple[int, ...]
    amount_column: int | None = None
    debit_column: int | None = None
    credit_column: int | None = None
    balance_column: int | None = None
    id_column: int | None = None
    currency_column: int | None = None
    confirmed: str = ""

    def problems(self) -> list[tuple[str, str]]:
        """What makes this mapping unusable, as ``(field, message)``; empty when it is fine."""
        found = []
        split = (self.debit_column, self.credit_column)
        if (self.amount_column is None) == (split == (None, None)):
            found.append(("amount_column", "name one amount column, or debit and credit columns"))
        elif self.amount_column is None and None in split:
            found.append(("debit_column", "name both the debit and the credit column"))
        if not self.description_columns:
            found.append(("description_columns", "name at least one description column"))
        columns = [self.date_column, *self.description_columns, self.amount_column]
        columns += [self.debit_column, self.credit_column, self.balance_column, self.id_column]
        if any(column is not None and column < 1 for column in columns):
            found.append(("columns", "columns are counted from 1"))
        try:
            datetime.datetime.strptime(
                datetime.date(2026, 10, 3).strftime(self.date_format), self.date_format
            )
        except ValueError:
            found.append(("date_format", f"{self.date_format!r} is not a date format"))
        return found


# Presets for the banks most of the region uses. ``confirmed`` says how the layout was
# checked; docs/statements.md lists the same.
PRESETS: dict[str, CsvLayout] = {
    mapping.name: mapping
    for mapping in [
        CsvLayout(
            name="commbank",
            label="CommBank NetBank (Date, Amount, Description, Balance; no header)",
            date_column=1,
            date_format="%d/%m/%Y",
            amount_column=2,
            description_columns=(3,),
            balance_column=4,
        ),
        CsvLayout(
            name="westpac",
            label="Westpac Live (Bank Account, Date, Narrative, Debit Amount, Credit Amount, "
            "Balance, …)",
            date_column=2,
            date_format="%d/%m/%Y",
            description_columns=(3,),
            debit_column=4,
            credit_column=5,
            balance_column=6,
        ),
        CsvLayout(
            name="westpac-corporate",
            label="Westpac Corporate Online CSV (TRAN_DATE, ACCOUNT_NO, …, AMOUNT, TRAN_CODE, "
            "NARRATIVE, SERIAL)",
            date_column=1,
            date_format="%Y%m%d",
            amount_column=6,
            description_columns=(8,),
            currency_column=4,
            confirmed="Westpac's published Corporate Online CSV statement format",
        ),
        CsvLayout(
            name="anz",
            label="ANZ Internet Banking (Date, Amount, Description; no header)",
            date_column=1,
            date_format="%d/%m/%Y",
            amount_column=2,
            description_columns=(3,),
        ),
        CsvLayout(
            name="anz-transactive",
            label="ANZ Transactive statement CSV (Date, Account, …, Reference, Amount, "
            "Narrative, Effective date, Trace ID, …)",
            date_column=1,
            date_format="%d-%b-%Y",
            amount_column=10,
            description_columns=(9, 11),
            id_column=13,
            currency_column=6,
            confirmed="a public accounting-software guide to the ANZ Transactive CSV fields",
        ),
        CsvLayout(
            name="nab",
            label="NAB Internet Banking (Date, Amount, Account Number, , Transaction Type, "
            "Transaction Details, Balance, …)",
            date_column=1,
            date_format="%d %b %y",
            amount_column=2,
            description_columns=(5, 6),
            balance_column=7,
        ),
        CsvLayout(
            name="bendigo",
            label="Bendigo Bank e-banking (Date, Amount, Description; no header)",
            date_column=1,
            date_format="%d/%m/%Y",
            amount_column=2,
            description_columns=(3,),
        ),
    ]
}


def signed_cents(text: str) -> int:
    """``"+1,250.00"``, ``"-12.5"``, ``"$40"`` as signed cents; ValueError saying why otherwise."""
    cleaned = text.strip().replace(",", "").replace("$", "").replace(" ", "")
    match = _AMOUNT.fullmatch(cleaned)
    if match is None:
        raise ValueError(f"{text!r} is not an amount like 12.50 or -12.50")
    cents = int(match[2]) * 100 + int((match[3] or "0").ljust(2, "0"))
    return -cents if match[1] == "-" else cents


def _cell(row: list[str], column: int | None) -> str:
    if column is None or column > len(row):
        return ""
    return row[column - 1].strip()


def _amount(row: list[str], mapping: CsvLayout) -> int:
    if mapping.amount_column is not None:
        return signed_cents(_cell(row, mapping.amount_column))
    debit, credit = _cell(row, mapping.debit_column), _cell(row, mapping.credit_column)
    if bool(debit) == bool(credit):
        raise ValueError("has an amount in both or neither of the debit and credit columns")
    # Some banks sign their debit column, others do not: a debit is money out either way.
    return -abs(signed_cents(debit)) if debit else abs(signed_cents(credit))


def read_bank_csv(text: str, mapping: CsvLayout, *, today: datetime.date) -> list[StatementLine]:
    """Every line of the export, or InputProblems naming each bad line and column.

    A first row whose date cell is not a date is the header and is skipped; blank rows are
    skipped; a line with no amount (a balance line) is skipped; a zero amount is refused.
    """
    problems: list[tuple[str, str]] = []
    lines: list[StatementLine] = []
    seen: dict[tuple[datetime.date, int, str, str], int] = {}
    first = True
    needed = max(
        mapping.date_column,
        *mapping.description_columns,
        *(c for c in (mapping.amount_column, mapping.debit_column, mapping.credit_column) if c),
    )
    for record in csv_records(text):
        where, row = f"line {record.line}", record.cells
        if record.problem:
            problems.append((where, record.problem))
            continue
        if not any(cell.strip() for cell in row):
            continue
        day_text = _cell(row, mapping.date_column)
        try:
            day = datetime.datetime.strptime(day_text, mapping.date_format).date()
        except ValueError:
            if first:
                first = False
                continue
            problems.append(
                (
                    f"{where}, column {mapping.date_column}",
                    f"{day_text!r} is not a date like "
                    f"{datetime.date(2026, 10, 3).strftime(mapping.date_format)}",
                )
            )
            continue
        first = False
        if len(row) < needed:
            problems.append(
                (where, f"has {len(row)} columns; the {mapping.name} mapping needs {needed}")
            )
            continue
        if day > today:
            problems.append(
                (f"{where}, column {mapping.date_column}", f"{day_text} is in the future")
            )
        if not any(
            _cell(row, column)
            for column in (mapping.amount_column, mapping.debit_column, mapping.credit_column)
        ):
            # A balance line of a day without transactions.
            continue
        try:
            cents = _amount(row, mapping)
        except ValueError as error:
            column = mapping.amount_column or f"{mapping.debit_column} or {mapping.credit_column}"
            problems.append((f"{where}, column {column}", str(error)))
            continue
        if cents == 0:
            problems.append((f"{where}, amount", "is zero"))
            continue
        currency = _cell(row, mapping.currency_column)
        if currency and currency.upper() != "AUD":
            problems.append(
                (f"{where}, column {mapping.currency_column}", f"is {currency}; only AUD is taken")
            )
            continue
        description = " ".join(
            text for column in mapping.description_columns if (text := _cell(row, column))
        )
        if not description.isprintable():
            problems.append((f"{where}, description", "holds a character that is not text"))
            continue
        if bank_ref := _cell(row, mapping.id_column):
            bank_id = f"csv:{mapping.name}:{bank_ref}"
        else:
            balance = _cell(row, mapping.balance_column)
            identity = (day, cents, description, balance)
            seen[identity] = occurrence = seen.get(identity, 0) + 1
            bank_id = "csv:" + line_hash(day, cents, description, balance, occurrence)
        lines.append(StatementLine(day, cents, description, bank_id, where))
    if problems:
        raise InputProblems(problems)
    if not lines:
        raise InputProblems([("file", f"has no transactions in the {mapping.name} layout")])
    return lines
