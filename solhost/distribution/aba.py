"""ABA (Cemtex) direct-entry files: the payouts of a batch, as Australian banks take them.

Pure: no Django. The layout follows the Australian Bankers' Association's direct-entry
format as the banks publish it (Westpac's "Australian Direct Entry file format" guide,
and its public summaries, e.g. https://www.cemtexaba.com/aba-format/cemtex-aba-file-format-details):

- every record is exactly 120 characters, in ASCII, ended by CR LF;
- one descriptive record (type 0), one detail record (type 1) per credit, and one file
  total record (type 7) with the net, credit and debit totals and the count of type-1
  records;
- a BSB is written ``NNN-NNN``; an account number is at most 9 characters, right
  justified and blank filled; amounts are cents, right justified and zero filled;
- each detail record names the remitter and traces back to the remitter's own BSB and
  account, where the bank returns a credit it cannot make.
"""

import datetime
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from solhost.core.problems import InputProblems

RECORD_LENGTH = 120
# "Externally initiated credit": the code for a payment to a supplier's account.
CREDIT = "50"
_BSB = re.compile(r"(\d{3})-?(\d{3})")
_ACCOUNT = re.compile(r"\d{1,9}")
_APCA = re.compile(r"\d{1,6}")
_FI = re.compile(r"[A-Z]{3}")
# Ten digits of cents: the widest amount a record can carry.
_MAX_CENTS = 9_999_999_999


def bsb(text: str) -> str:
    """A BSB as the file writes it, ``NNN-NNN``; ``"062000"`` and ``"062-000"`` both fit.

    Raises ValueError saying what is wrong.
    """
    match = _BSB.fullmatch((text or "").strip())
    if match is None:
        raise ValueError(f"{text!r} is not a BSB: write six digits, as 062-000")
    return f"{match[1]}-{match[2]}"


def account_number(text: str) -> str:
    """An account number of 1 to 9 digits; spaces and hyphens people type are left out.

    Raises ValueError saying what is wrong.
    """
    digits = re.sub(r"[\s-]", "", text or "")
    if _ACCOUNT.fullmatch(digits) is None:
        raise ValueError(f"{text!r} is not an account number: write 1 to 9 digits")
    if not digits.strip("0"):
        raise ValueError("an account number cannot be all zeros")
    return digits


def _text(value: str) -> str:
    """Printable ASCII as the banks take it: accents dropped, other characters as spaces."""
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return "".join(c if " " <= c <= "~" else " " for c in plain).strip()


def _left(value: str, width: int) -> str:
    return _text(value)[:width].ljust(width)


def _cents(value: int, width: int) -> str:
    return str(value).rjust(width, "0")


@dataclass(frozen=True)
class Remitter:
    """Who sends the file: the steward's bank, its APCA user, and its own account as trace."""

    institution: str  # the bank's three-letter abbreviation, e.g. "BEN"
    user_name: str  # as the bank knows the user; 26 characters are kept
    user_id: str  # the APCA user identification number, up to 6 digits
    bsb: str
    account: str
    name: str  # the remitter's name on each credit; 16 characters are kept


@dataclass(frozen=True)
class Credit:
    """One payment into someone's account."""

    bsb: str
    account: str
    account_name: str
    amount_cents: int
    reference: str  # the lodgement reference the payee's statement shows; 18 characters


def _problems(
    remitter: Remitter, credits: Sequence[Credit], description: str
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []

    def check(where: str, read: Callable[[str], str], text: str) -> None:
        try:
            read(text)
        except ValueError as error:
            problems.append((where, str(error)))

    if _FI.fullmatch(remitter.institution) is None:
        problems.append(
            ("remitter.institution", f"{remitter.institution!r} is not three capital letters")
        )
    if _APCA.fullmatch(remitter.user_id) is None:
        problems.append(("remitter.user_id", f"{remitter.user_id!r} is not 1 to 6 digits"))
    for where, value in (
        ("remitter.user_name", remitter.user_name),
        ("remitter.name", remitter.name),
    ):
        if not _text(value):
            problems.append((where, "is empty"))
    check("remitter.bsb", bsb, remitter.bsb)
    check("remitter.account", account_number, remitter.account)
    if not _text(description):
        problems.append(("description", "is empty"))
    if not credits:
        problems.append(("credits", "there is nothing to pay"))
    for n, credit in enumerate(credits, start=1):
        where = f"credit {n} ({_text(credit.account_name) or 'no name'})"
        check(f"{where}.bsb", bsb, credit.bsb)
        check(f"{where}.account", account_number, credit.account)
        if not _text(credit.account_name):
            problems.append((f"{where}.account_name", "is empty"))
        amount = credit.amount_cents
        if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= _MAX_CENTS:
            problems.append((f"{where}.amount_cents", f"{amount!r} is not 1 to {_MAX_CENTS} cents"))
    if sum(c.amount_cents for c in credits if isinstance(c.amount_cents, int)) > _MAX_CENTS:
        problems.append(("credits", f"together more than {_MAX_CENTS} cents, one file's most"))
    return problems


def aba_file(
    *,
    remitter: Remitter,
    credits: Sequence[Credit],
    description: str,
    process_on: datetime.date,
) -> str:
    """The whole file: descriptive record, one credit record each, file total record.

    Raises InputProblems naming every field at fault, before writing anything.
    """
    problems = _problems(remitter, credits, description)
    if problems:
        raise InputProblems(problems)
    records = [
        "0"
        + " " * 17
        + "01"
        + remitter.institution
        + " " * 7
        + _left(remitter.user_name, 26)
        + remitter.user_id.rjust(6, "0")
        + _left(description, 12)
        + process_on.strftime("%d%m%y")
        + " " * 40
    ]
    trace_bsb, trace_account = bsb(remitter.bsb), account_number(remitter.account)
    for credit in credits:
        records.append(
            "1"
            + bsb(credit.bsb)
            + account_number(credit.account).rjust(9)
            + " "  # indicator: no new details, no withholding tax
            + CREDIT
            + _cents(credit.amount_cents, 10)
            + _left(credit.account_name, 32)
            + _left(credit.reference, 18)
            + trace_bsb
            + trace_account.rjust(9)
            + _left(remitter.name, 16)
            + _cents(0, 8)  # withholding tax
        )
    credit_total = sum(c.amount_cents for c in credits)
    debit_total = 0
    records.append(
        "7"
        + "999-999"
        + " " * 12
        + _cents(abs(credit_total - debit_total), 10)
        + _cents(credit_total, 10)
        + _cents(debit_total, 10)
        + " " * 24
        + _cents(len(credits), 6)
        + " " * 40
    )
    assert all(len(record) == RECORD_LENGTH for record in records), records
    return "".join(record + "\r\n" for record in records)
