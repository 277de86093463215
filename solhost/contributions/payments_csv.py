"""The bank's payment CSV: ``date, reference, amount`` lines read into payments. Pure: no Django.

Each payment gets a key derived from what identifies it (its date, reference, amount and
its occurrence among identical lines), so importing the same file again changes nothing.
"""

import csv
import datetime
import hashlib
import io
from dataclasses import dataclass
from typing import Final

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


def read_payments_csv(text: str, *, today: datetime.date) -> list[PaymentLine]:
    """Parse ``date, reference, amount`` lines; InputProblems lists every bad line.

    Dates are ISO (2026-10-03) and not after ``today``; amounts are dollars (12.50). A
    header row naming the columns is optional. Identical lines are distinct payments (two
    residents' parents may both send $5 with one reference on one day), told apart by
    their order.
    """
    problems: list[tuple[str, str]] = []
    lines: list[PaymentLine] = []
    seen: dict[tuple[datetime.date, str, int], int] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        where = f"line {number}"
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number == 1 and [c.lower() for c in cells] == list(CSV_COLUMNS):
            continue
        if len(cells) != 3:
            problems.append((where, f"has {len(cells)} columns; write date, reference, amount"))
            continue
        day_text, code, amount_text = cells
        day: datetime.date | None
        try:
            day = datetime.date.fromisoformat(day_text)
        except ValueError:
            problems.append((f"{where}, date", f"{day_text!r} is not a date like 2026-10-03"))
            day = None
        if day and day > today:
            problems.append((f"{where}, date", f"{day_text} is in the future"))
        try:
            cents = parse_aud(amount_text)
            if cents <= 0:
                problems.append((f"{where}, amount", "must be more than zero"))
        except ValueError as error:
            problems.append((f"{where}, amount", str(error)))
            cents = 0
        if not code:
            problems.append((f"{where}, reference", "is empty"))
        if day is None or cents <= 0 or not code:
            continue
        identity = (day, code.upper(), cents)
        seen[identity] = occurrence = seen.get(identity, 0) + 1
        digest = hashlib.sha256(f"{day}|{code.upper()}|{cents}|{occurrence}".encode()).hexdigest()
        lines.append(PaymentLine(day, code.upper(), cents, f"csv:{digest[:60]}", number))
    if not lines and not problems:
        problems.append(("file", "has no payment lines"))
    if problems:
        raise InputProblems(problems)
    return lines
