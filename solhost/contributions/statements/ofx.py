"""OFX statements (1.x SGML and 2.x XML) read with ofxtools. Pure: no Django.

ofxtools reads the header and the tags and checks each transaction's fields; this module
walks the bank statements so that every problem names its element, e.g.
``OFX/BANKMSGSRSV1/STMTTRNRS[1]/STMTRS/BANKTRANLIST/STMTTRN[2]/TRNAMT``. A line's
``bank_id`` is ``ofx:<ACCTID>:<FITID>``: the bank's own id, unique within the account.
"""

import datetime
import io
from decimal import Decimal
from xml.etree.ElementTree import Element

from ofxtools.header import OFXHeaderError
from ofxtools.models.bank.stmt import STMTTRN
from ofxtools.models.base import Aggregate
from ofxtools.Parser import OFXTree, ParseError

from solhost.contributions.statements import StatementLine
from solhost.core.problems import InputProblems

_CONVERSION_ERRORS = (ValueError, ArithmeticError, TypeError, KeyError, IndexError)


def _text(element: Element, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "").strip() if found is not None else ""


def _transaction_problem(element: Element, where: str, error: Exception) -> tuple[str, str]:
    """The first field of a transaction that ofxtools cannot read, with why."""
    for child in element:
        field = STMTTRN.__dict__.get(child.tag.lower())
        if field is None:
            continue
        try:
            field.convert(child.text)
        except _CONVERSION_ERRORS as field_error:
            reason = str(field_error) if isinstance(field_error, ValueError) else "is malformed"
            return f"{where}/{child.tag}", f"{(child.text or '').strip()!r}: {reason}"
    return where, f"is not a valid OFX transaction: {error}"


def _cents(amount: Decimal) -> int:
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has more than two decimals")
    return int(cents)


def read_ofx(data: bytes, *, today: datetime.date) -> list[StatementLine]:
    """Every transaction of every bank statement in the file, or InputProblems naming each
    bad element; statements in another currency than AUD are refused."""
    tree = OFXTree()
    try:
        root = tree.parse(io.BytesIO(data))
    except (OFXHeaderError, ParseError, *_CONVERSION_ERRORS) as error:
        raise InputProblems([("OFX", f"is not a readable OFX file: {error}")]) from None
    problems: list[tuple[str, str]] = []
    lines: list[StatementLine] = []
    bank = root.find("BANKMSGSRSV1")
    responses = bank.findall("STMTTRNRS") if bank is not None else []
    if not responses:
        raise InputProblems([("OFX/BANKMSGSRSV1", "holds no bank statement (STMTTRNRS)")])
    for number, response in enumerate(responses, start=1):
        path = f"OFX/BANKMSGSRSV1/STMTTRNRS[{number}]/STMTRS"
        statement = response.find("STMTRS")
        if statement is None:
            problems.append((path, "is missing"))
            continue
        if (currency := _text(statement, "CURDEF")) != "AUD":
            problems.append((f"{path}/CURDEF", f"is {currency or 'missing'}; only AUD is taken"))
            continue
        account = _text(statement, "BANKACCTFROM/ACCTID")
        if not account:
            problems.append((f"{path}/BANKACCTFROM/ACCTID", "is missing"))
            continue
        for index, element in enumerate(statement.iterfind("BANKTRANLIST/STMTTRN"), start=1):
            where = f"{path}/BANKTRANLIST/STMTTRN[{index}]"
            try:
                transaction = Aggregate.from_etree(element)
            except _CONVERSION_ERRORS as error:
                problems.append(_transaction_problem(element, where, error))
                continue
            # The date as the bank wrote it, not shifted to UTC by a time zone after it.
            posted = _text(element, "DTPOSTED")[:8]
            booked_on = datetime.datetime.strptime(posted, "%Y%m%d").date()
            if booked_on > today:
                problems.append((f"{where}/DTPOSTED", f"{booked_on} is in the future"))
                continue
            try:
                cents = _cents(transaction.trnamt)
            except ValueError as error:
                problems.append((f"{where}/TRNAMT", str(error)))
                continue
            if cents == 0:
                problems.append((f"{where}/TRNAMT", "is zero"))
                continue
            description = " ".join(part for part in (transaction.name, transaction.memo) if part)
            lines.append(
                StatementLine(
                    booked_on, cents, description, f"ofx:{account}:{transaction.fitid}", where
                )
            )
    if problems:
        raise InputProblems(problems)
    if not lines:
        raise InputProblems([("OFX", "has no transactions")])
    return lines
