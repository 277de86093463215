"""Bank statements as the banks export them, read into signed lines. Pure: no Django.

``read_statement`` takes a file's bytes and gives one ``StatementLine`` per booked entry:
credits positive, debits negative, each with a ``bank_id`` that stays the same when the
bank exports the line again, so a re-imported or overlapping statement adds nothing.
"""

import datetime
import hashlib
from dataclasses import dataclass
from typing import Final

FORMATS: Final = ("camt053", "ofx", "csv")


@dataclass(frozen=True)
class StatementLine:
    """One entry of a statement; ``where`` says where it is in the file (line or element)."""

    booked_on: datetime.date
    amount_cents: int
    description: str
    bank_id: str
    where: str


def line_hash(*parts: object) -> str:
    """A stable id for a line whose bank gives none: the hex SHA-256 of its parts joined by |."""
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()


def detect_format(data: bytes) -> str:
    """``camt053``, ``ofx`` or ``csv``, from the first bytes of the file."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    if b"OFXHEADER" in head or b"<OFX>" in head:
        return "ofx"
    if head.startswith(b"<") and b"CAMT.053" in data[:4096].upper():
        return "camt053"
    return "csv"
