"""The records of uploaded CSV text, each with the line of the file it starts on: how
every importer reads CSV, whatever the spreadsheet that wrote it."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CsvRecord:
    # The line of the file the record starts on, as an editor numbers it (a quoted cell
    # may hold line breaks, so this is not the record's position).
    line: int
    cells: list[str] = field(default_factory=list)
    # Set on the last record only, when the file can't be read past this line (a quote
    # never closed, a cell past the csv module's size limit); it then has no cells.
    problem: str = ""


def csv_records(text: str, *, strict: bool = False) -> Iterator[CsvRecord]:
    """Each record of ``text``; lines may end in ``\\n``, ``\\r\\n`` or a lone ``\\r``
    (as some spreadsheets on a Mac write them). Unreadable CSV ends the records with one
    that says why, rather than raising ``csv.Error`` at the caller. ``strict`` also ends
    them at a quote never closed, which otherwise takes the rest of the file as its cell."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=strict)
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield CsvRecord(line, problem=_why_unreadable(error))
            return
        yield CsvRecord(line, cells)
        line = reader.line_num + 1


def _why_unreadable(error: csv.Error) -> str:
    # The csv module's words (in strict mode) for a file that ends inside a quoted cell.
    if str(error) == "unexpected end of data":
        return 'a quote (") opened on this line is never closed'
    return f"cannot be read as CSV ({error})"
