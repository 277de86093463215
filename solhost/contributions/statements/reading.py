"""One entry for every statement format: detect it, decode it, read it. Pure: no Django."""

import datetime

from solhost.contributions.statements import FORMATS, StatementLine, detect_format
from solhost.contributions.statements.bank_csv import CsvLayout, read_bank_csv
from solhost.contributions.statements.camt053 import read_camt053
from solhost.contributions.statements.ofx import read_ofx
from solhost.core.problems import InputProblems


def read_statement(
    data: bytes, *, today: datetime.date, format: str = "", mapping: CsvLayout | None = None
) -> tuple[str, list[StatementLine]]:
    """The format read (given, or detected from the content) and the file's lines.

    A CSV needs a mapping; InputProblems says what is wrong and where.
    """
    chosen = format or detect_format(data)
    if chosen not in FORMATS:
        raise InputProblems([("format", f"{chosen!r} is not one of {', '.join(FORMATS)}")])
    if chosen == "camt053":
        return chosen, read_camt053(data, today=today)
    if chosen == "ofx":
        return chosen, read_ofx(data, today=today)
    if mapping is None:
        raise InputProblems([("mapping", "a CSV export needs its bank's column mapping")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older exports are Windows-1252; every byte means something there.
        text = data.decode("cp1252", errors="replace")
    return chosen, read_bank_csv(text, mapping, today=today)
