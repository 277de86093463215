"""ISO 20022 CAMT.053 bank-to-customer statements, read with lxml. Pure: no Django.

The parser is hardened: no network, no DTD, no entity expansion (a statement with a
DOCTYPE is refused). A camt.053.001.02 file is validated against the ISO 20022 schema
(``camt.053.001.02.xsd`` beside this module, see ``camt.053.001.02.NOTICE``); later
versions, whose schemas are not bundled, have the elements this module reads checked one
by one. Every problem names its element path, e.g.
``Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/Amt``, and its line in the file.

Versions camt.053.001.02 to .001.08 are read the same way: only booked entries count
(``Sts`` BOOK, as text in 02 or as ``Sts/Cd`` later); each becomes one line, dated by
``BookgDt``. A line's ``bank_id`` is ``camt:<account>:<AcctSvcrRef>`` (or ``NtryRef``);
an entry with neither gets the SHA-256 of ``date|amount in cents|description|occurrence``.
"""

import datetime
import functools
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lxml import etree

from solhost.contributions.statements import StatementLine, line_hash
from solhost.core.problems import InputProblems

_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.0[2-8]")
_SCHEMA_NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
_SCHEMA_FILE = Path(__file__).with_name("camt.053.001.02.xsd")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@functools.cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(_SCHEMA_FILE), _parser()))


def _path(element: etree._Element) -> str:
    """``Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/Amt``: local names, with the position among
    siblings of the same name where there can be several."""
    steps = []
    while element is not None:
        name = etree.QName(element).localname
        parent = element.getparent()
        same = [e for e in parent if etree.QName(e).localname == name] if parent is not None else []
        if len(same) > 1 or name in ("Stmt", "Ntry"):
            name += f"[{same.index(element) + 1}]"
        steps.append(name)
        element = parent
    return "/".join(reversed(steps))


def _schema_problems(root: etree._Element) -> list[tuple[str, str]]:
    schema = _schema()
    if schema.validate(root.getroottree()):
        return []
    problems = []
    for error in schema.error_log:
        found = root.getroottree().xpath(error.path) if error.path else []
        where = _path(found[0]) if found else "Document"
        message = error.message.replace("{" + _SCHEMA_NAMESPACE + "}", "")
        problems.append(
            (f"{where} (line {error.line})", f"does not follow the camt.053 schema: {message}")
        )
    return problems


class _Entry:
    """Reads the children of one element by local name, each problem with its path."""

    def __init__(self, element: etree._Element, path: str, namespace: str):
        self.element, self.path, self.ns = element, path, {"c": namespace}

    def all_text(self, xpath: str) -> list[str]:
        found = self.element.xpath(xpath, namespaces=self.ns)
        return [" ".join((item.text or "").split()) for item in found if (item.text or "").strip()]

    def text(self, xpath: str) -> str:
        found = self.all_text(xpath)
        return found[0] if found else ""

    def where(self, child: str) -> str:
        """The child's path and line (the entry's line when the child is missing)."""
        found = self.element.find(child.split("/")[0], namespaces={"": self.ns["c"]})
        line = (found if found is not None else self.element).sourceline
        return f"{self.path}/{child} (line {line})"


def _cents(text: str) -> int:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount like 12.50") from None
    cents = amount * 100
    if not amount.is_finite() or amount <= 0 or cents != cents.to_integral_value():
        raise ValueError(f"{text!r} is not a positive amount with at most two decimals")
    return int(cents)


def read_camt053(data: bytes, *, today: datetime.date) -> list[StatementLine]:
    """Every booked entry of every statement in the file, or InputProblems naming each bad
    element; amounts in another currency than AUD are refused."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise InputProblems(
            [(f"line {error.lineno}", f"is not well-formed XML: {error.msg}")]
        ) from None
    if root.getroottree().docinfo.doctype:
        raise InputProblems([("DOCTYPE", "a bank statement has no DOCTYPE; this file is refused")])
    namespace = etree.QName(root).namespace or ""
    if etree.QName(root).localname != "Document" or not _NAMESPACE.fullmatch(namespace):
        raise InputProblems(
            [
                (
                    etree.QName(root).localname,
                    "is not a camt.053 Document (namespace "
                    f"{namespace or 'missing'}); export the statement as ISO 20022 camt.053",
                )
            ]
        )
    if namespace == _SCHEMA_NAMESPACE and (invalid := _schema_problems(root)):
        raise InputProblems(invalid)
    problems: list[tuple[str, str]] = []
    lines: list[StatementLine] = []
    seen: dict[tuple[datetime.date, int, str], int] = {}
    statements = root.xpath("c:BkToCstmrStmt/c:Stmt", namespaces={"c": namespace})
    if not statements:
        raise InputProblems([("Document/BkToCstmrStmt", "holds no statement (Stmt)")])
    for s_index, statement in enumerate(statements, start=1):
        stmt = _Entry(statement, f"Document/BkToCstmrStmt/Stmt[{s_index}]", namespace)
        account = stmt.text("c:Acct/c:Id/c:IBAN") or stmt.text("c:Acct/c:Id/c:Othr/c:Id")
        if not account:
            problems.append((stmt.where("Acct/Id"), "names no account"))
            continue
        for n_index, element in enumerate(statement.xpath("c:Ntry", namespaces=stmt.ns), start=1):
            entry = _Entry(element, f"{stmt.path}/Ntry[{n_index}]", namespace)
            status = entry.text("c:Sts/c:Cd") or entry.text("c:Sts")
            if status != "BOOK":
                # Pending and information-only entries come again, booked, in a later statement.
                continue
            try:
                cents = _cents(entry.text("c:Amt"))
            except ValueError as error:
                problems.append((entry.where("Amt"), str(error)))
                continue
            currency = element.xpath("c:Amt/@Ccy", namespaces=entry.ns)
            if currency != ["AUD"]:
                problems.append(
                    (
                        entry.where("Amt/@Ccy"),
                        f"is {currency[0] if currency else 'missing'}; only AUD is taken",
                    )
                )
                continue
            direction = entry.text("c:CdtDbtInd")
            if direction not in ("CRDT", "DBIT"):
                problems.append((entry.where("CdtDbtInd"), f"{direction!r} is not CRDT or DBIT"))
                continue
            booked = entry.text("c:BookgDt/c:Dt") or entry.text("c:BookgDt/c:DtTm")[:10]
            try:
                booked_on = datetime.date.fromisoformat(booked)
            except ValueError:
                problems.append(
                    (entry.where("BookgDt"), f"{booked!r} is not a date like 2026-10-03")
                )
                continue
            if booked_on > today:
                problems.append((entry.where("BookgDt"), f"{booked} is in the future"))
                continue
            signed = cents if direction == "CRDT" else -cents
            pieces = [
                *entry.all_text(".//c:RmtInf/c:Ustrd"),
                *entry.all_text(".//c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref"),
                *entry.all_text(".//c:RltdPties/c:Dbtr//c:Nm"),
                *entry.all_text(".//c:AddtlTxInf"),
                *entry.all_text("c:AddtlNtryInf"),
            ]
            description = " / ".join(dict.fromkeys(pieces))
            reference = entry.text("c:AcctSvcrRef") or entry.text("c:NtryRef")
            if reference:
                bank_id = f"camt:{account}:{reference}"
            else:
                identity = (booked_on, signed, description)
                seen[identity] = occurrence = seen.get(identity, 0) + 1
                bank_id = "camt:" + line_hash(booked_on, signed, description, occurrence)
            lines.append(
                StatementLine(
                    booked_on,
                    signed,
                    description,
                    bank_id,
                    f"{entry.path} (line {element.sourceline})",
                )
            )
    if problems:
        raise InputProblems(problems)
    if not lines:
        raise InputProblems([("Document/BkToCstmrStmt", "has no booked entries")])
    return lines
