"""The bank's payment CSV: ``date, reference, amount`` lines read into payments. Pure: no Django.

Each payment gets a key derived from what identifies it (its date, reference, amount and
its occurrence among identical lines), so importing the same file again changes nothing.
"""

import datetime
import hashlib
from dataclasses import dataclass
from typing import Final

from solhost.core.csv_text import csv_records
from solhost.core.money import parse_aud
from solhost.core.problems import InputProblems

CSV_COLUMNS: Final = ("date", "reference", "amount")


@dataclass(frozen=True)
class PaymentLine:
    """One payment to record; ``line`` is its line in the file (0 for one typed in a form)."""

    received_on: datetime.date
    reference: str
    amount_cents: int
    key: str
    line: int = 0


@dataclass(frozen=True)
class PaymentsFile:
    """A payment CSV as read: its good lines and every problem, each with its line number.

    ``named`` keeps the readable date (else None) and the reference (else "") of every line
    of three columns, even one with another bad cell, so that the caller can report unknown
    references and closed periods together with the file's own problems.
    """

    lines: list[PaymentLine]
    problems: list[tuple[int, str, str]]
    named: list[tuple[int, datetime.date | None, str]]


def parse_payments_csv(text: str, *, today: datetime.date) -> PaymentsFile:
    """Parse ``date, reference, amount`` lines, keeping every problem with its line.

    Dates are ISO (2026-10-03) and not after ``today``; amounts are dollars (12.50). A
    header row naming the columns is optional. Identical lines are distinct payments (two
    residents' parents may both send $5 with one reference on one day), told apart by
    their order. Problems are ``(line number, where, message)``; a file without payment
    lines has one at line 0.
    """
    problems: list[tuple[int, str, str]] = []
    lines: list[PaymentLine] = []
    named: list[tuple[int, datetime.date | None, str]] = []
    seen: dict[tuple[datetime.date, str, int], int] = {}
    for record in csv_records(text):
        number, where = record.line, f"line {record.line}"
        if record.problem:
            problems.append((number, where, record.problem))
            continue
        cells = [cell.strip() for cell in record.cells]
        if not any(cells):
            continue
        if number == 1 and [c.lower() for c in cells] == list(CSV_COLUMNS):
            continue
        if len(cells) != 3:
            problems.append(
                (number, where, f"has {len(cells)} columns; write date, reference, amount")
            )
            continue
        day_text, code, amount_text = cells
        day: datetime.date | None
        try:
            day = datetime.date.fromisoformat(day_text)
        except ValueError:
            problems.append(
                (number, f"{where}, date", f"{day_text!r} is not a date like 2026-10-03")
            )
            day = None
        if day and day > today:
            problems.append((number, f"{where}, date", f"{day_text} is in the future"))
        try:
            cents = parse_aud(amount_text)
            if cents <= 0:
                problems.append((number, f"{where}, amount", "must be more than zero"))
        except ValueError as error:
            problems.append((number, f"{where}, amount", str(error)))
            cents = 0
        if not code:
            problems.append((number, f"{where}, reference", "is empty"))
        elif not code.isprintable():
            # A control character (NUL above all) is no reference, and no database lookup.
            problems.append((number, f"{where}, reference", "holds a character that is not text"))
            code = ""
        named.append((number, day, code.upper()))
        if day is None or cents <= 0 or not code:
            continue
        identity = (day, code.upper(), cents)
        seen[identity] = occurrence = seen.get(identity, 0) + 1
        digest = hashlib.sha256(f"{day}|{code.upper()}|{cents}|{occurrence}".encode()).hexdigest()
        lines.append(PaymentLine(day, code.upper(), cents, f"csv:{digest[:60]}", number))
    if not lines and not problems:
        problems.append((0, "file", "has no payment lines"))
    return PaymentsFile(lines, problems, named)


def read_payments_csv(text: str, *, today: datetime.date) -> list[PaymentLine]:
    """The payment lines of a CSV (see ``parse_payments_csv``); InputProblems lists every bad line."""
    found = parse_payments_csv(text, today=today)
    if found.problems:
        raise InputProblems([(where, message) for _, where, message in found.problems])
    return found.lines
