"""A partner's dossier as plain values, and its reading from JSON. Pure: no Django.

The JSON form is published as ``docs/dossier.schema.json`` (JSON Schema, draft 2020-12).
``parse_dossier`` checks a decoded document against the schema and then for what a schema
cannot say (ids that repeat or point nowhere, IP addresses, licence syntax, numbers that
contradict each other), and reports every problem with its JSON path, e.g.
``$.servers[2].latitude: must be between -90 and 90, got 95``.
"""

import datetime
import ipaddress
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Final

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from solhost.core.problems import InputProblems
from solhost.partners.licences import LicenceExpressionError, parse_licence_expression

SCHEMA_PATH: Final = Path(__file__).with_name("dossier.schema.json")

REVIEW_APPROVED: Final = "approved"


class DossierError(InputProblems):
    """A dossier with problems; ``problems`` lists ``(path, message)`` pairs in document order."""


@dataclass(frozen=True)
class LegalStructure:
    form: str
    registration_number: str | None
    statement_of_structure: str | None


@dataclass(frozen=True)
class Partner:
    name: str
    legal_structure: LegalStructure
    run_by: str
    land_back_withheld_by_platform: bool

    @property
    def settler_run(self) -> bool:
        return self.run_by == "settlers"


@dataclass(frozen=True)
class FinancialYear:
    """One financial year's figures; money in whole cents."""

    ends: datetime.date
    gross_revenue_cents: int
    labour_payments_cents: int
    fte: Decimal
    surplus_cents: int
    investor_returns_cents: int
    loan_repayments_cents: int
    land_back_cents: int


@dataclass(frozen=True)
class PayRatio:
    """The plan against widening inequality, its stated cap (if any) and the actual ratio."""

    plan: str | None
    cap: Decimal | None
    actual: Decimal | None


@dataclass(frozen=True)
class UnionParticipation:
    workers: int
    union_members: int
    description: str | None


@dataclass(frozen=True)
class EndOfLife:
    """The wind-down plan, one field per part of charter B3."""

    data_return: str | None
    user_migration: str | None
    infrastructure_handover: str | None


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    name: str | None = None


@dataclass(frozen=True)
class Power:
    generation: str
    community_installation: Location | None


@dataclass(frozen=True)
class Server:
    id: str
    role: str
    location: Location
    hosting_company: str
    asn: int | None
    ips: tuple[str, ...]
    operation_started: datetime.date
    power: Power


@dataclass(frozen=True)
class LoresOption:
    """The LoRes way of getting a service. ``found`` is the LoRes sync's evidence in words
    (which app on which node, read when); a dossier document states the option without it."""

    url: str
    recommended: bool
    found: str = ""


@dataclass(frozen=True)
class Service:
    id: str
    kind: str
    licence: str
    audience: str
    servers: tuple[str, ...]
    lores: LoresOption | None
    # How residents get their data out (charter B3.1): the formats of the service's own
    # export, and whether an account can move (``partners.exits``); None when not said.
    export_formats: tuple[str, ...] = ()
    account_move: str | None = None


@dataclass(frozen=True)
class Evidence:
    """The state of the evidence for one criterion and subject, as the steward reviewed it."""

    criterion: str
    subject: str
    review: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None

    def in_force(self, at: datetime.date) -> bool:
        """Approved, and valid on day ``at`` (an open end is valid for ever)."""
        return (
            self.review == REVIEW_APPROVED
            and (self.valid_from is None or self.valid_from <= at)
            and (self.valid_until is None or at <= self.valid_until)
        )


@dataclass(frozen=True)
class Participation:
    """Network decisions closed in the participation window, and how many the partner voted in."""

    decisions: int
    voted: int


@dataclass(frozen=True)
class EnergyResults:
    """What the energy analysis found for one server; None where it has no result.

    ``renewable_share_bp`` is the judged share, None while too few days are measured;
    ``measured_share_bp`` and ``coverage_bp`` say what those days show meanwhile.
    """

    fully_renewable_day: datetime.date | None = None
    renewable_share_bp: int | None = None
    days_measured: int | None = None
    outage_hours_survived: int | None = None
    measured_share_bp: int | None = None
    coverage_bp: int | None = None


@dataclass(frozen=True)
class WindDownProgress:
    """A wind-down the partner ran or is running, as its cases stood at its shutdown.

    A case counts as returned, moved or declined (the resident chose to leave nothing
    behind) only if it got there on or before ``shutdown_on``; every other case, still
    open, marked as having had no response, or settled too late, is ``left``.
    """

    page: str
    shutdown_on: datetime.date
    completed_on: datetime.date | None
    returned: int
    moved: int
    declined: int
    left: int

    @property
    def cases(self) -> int:
        return self.returned + self.moved + self.declined + self.left


@dataclass(frozen=True)
class Dossier:
    """Everything known about one partner for qualification, as of one moment."""

    partner: Partner
    financial_years: tuple[FinancialYear, ...]
    pay_ratio: PayRatio
    union_participation: UnionParticipation | None
    commons_stewardship: str | None
    end_of_life: EndOfLife
    servers: tuple[Server, ...]
    services: tuple[Service, ...]
    evidence: tuple[Evidence, ...] = ()
    participation: Participation | None = None
    energy: Mapping[str, EnergyResults] | None = None
    # From the platform's wind-down records (``qualification.signals``); None if none ran.
    wind_down: WindDownProgress | None = None

    def latest_year(self, at: datetime.date) -> FinancialYear | None:
        """The most recent financial year that ended on or before ``at``."""
        ended = [year for year in self.financial_years if year.ends <= at]
        return max(ended, key=lambda year: year.ends, default=None)


@cache
def dossier_schema() -> dict[str, Any]:
    """The published JSON Schema of the dossier document."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TYPE_NAMES = {
    "object": "an object",
    "array": "a list",
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "null",
}


def json_path(parts: Sequence[str | int]) -> str:
    """``["servers", 2, "latitude"]`` as ``$.servers[2].latitude``."""
    path = "$"
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _IDENTIFIER.match(part):
            path += f".{part}"
        else:
            path += f"[{json.dumps(part)}]"
    return path


def _schema_messages(error: ValidationError) -> Iterator[tuple[list[str | int], str]]:
    where: list[str | int] = list(error.absolute_path)
    keyword, expected, schema, value = (
        error.validator,
        error.validator_value,
        error.schema,
        error.instance,
    )
    if keyword == "required":
        for name in expected:
            if isinstance(value, dict) and name not in value:
                yield [*where, name], "is required"
    elif keyword == "additionalProperties":
        for name in value:
            if name not in schema.get("properties", {}):
                yield [*where, name], "is not a field of the dossier"
    elif keyword == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        yield where, f"must be {' or '.join(_TYPE_NAMES[k] for k in kinds)}, got {value!r}"
    elif keyword in ("minimum", "maximum") and "minimum" in schema and "maximum" in schema:
        yield where, f"must be between {schema['minimum']} and {schema['maximum']}, got {value}"
    elif keyword == "minimum":
        yield where, f"must be at least {expected}, got {value}"
    elif keyword == "maximum":
        yield where, f"must be at most {expected}, got {value}"
    elif keyword == "enum":
        yield where, f"must be one of {', '.join(map(str, expected))}, got {value!r}"
    elif keyword == "format":
        yield where, f"must be a date written YYYY-MM-DD, got {value!r}"
    elif keyword == "minLength":
        yield where, "must not be empty"
    elif keyword == "pattern" and where and where[-1] == "subject":
        yield where, f"must be partner, server:<id> or service:<id>, got {value!r}"
    elif keyword in ("pattern", "maxLength"):
        yield where, f"must be up to 60 lower-case letters, digits and hyphens, got {value!r}"
    elif keyword == "minItems":
        yield where, f"must list at least {expected} {'entry' if expected == 1 else 'entries'}"
    elif keyword == "uniqueItems":
        yield where, "must not repeat an entry"
    else:
        yield where, error.message


def _schema_problems(document: object) -> list[tuple[list[str | int], str]]:
    validator = Draft202012Validator(dossier_schema(), format_checker=FormatChecker())
    return [found for error in validator.iter_errors(document) for found in _schema_messages(error)]


def _items(document: Mapping[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    value = document.get(key)
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _first_of_each_id(
    document: Mapping[str, Any], section: str
) -> tuple[dict[str, int], list[tuple[list[str | int], str]]]:
    """The index of the first item in ``section`` with each id, and a problem for each item
    that repeats an earlier one's id."""
    first: dict[str, int] = {}
    problems: list[tuple[list[str | int], str]] = []
    for i, item in _items(document, section):
        item_id = item.get("id")
        if not isinstance(item_id, str):
            continue
        if item_id in first:
            problems.append(
                ([section, i, "id"], f"repeats the id {item_id!r} of $.{section}[{first[item_id]}]")
            )
        else:
            first[item_id] = i
    return first, problems


def _semantic_problems(document: Mapping[str, Any]) -> list[tuple[list[str | int], str]]:
    """What the schema cannot express; every lookup tolerates parts the schema already refused."""
    server_ids, problems = _first_of_each_id(document, "servers")
    for i, server in _items(document, "servers"):
        ips = server.get("ips")
        for j, ip in enumerate(ips if isinstance(ips, list) else []):
            try:
                ipaddress.ip_address(ip)
            except ValueError:
                problems.append((["servers", i, "ips", j], f"is not an IP address: {ip!r}"))
        power = server.get("power")
        if (
            isinstance(power, dict)
            and power.get("generation") == "community"
            and not power.get("community_installation")
        ):
            problems.append(
                (
                    ["servers", i, "power", "community_installation"],
                    "is required when generation is community",
                )
            )
    service_ids, repeated = _first_of_each_id(document, "services")
    problems += repeated
    for i, service in _items(document, "services"):
        used = service.get("servers")
        for j, server_id in enumerate(used if isinstance(used, list) else []):
            if isinstance(server_id, str) and server_id not in server_ids:
                problems.append(
                    (["services", i, "servers", j], f"no server has the id {server_id!r}")
                )
        licence = service.get("licence")
        if isinstance(licence, str) and licence.strip():
            try:
                parse_licence_expression(licence)
            except LicenceExpressionError as error:
                problems.append((["services", i, "licence"], str(error)))
    year_ends: dict[str, int] = {}
    for i, year in _items(document, "financial_years"):
        ends = year.get("ends")
        if isinstance(ends, str):
            if ends in year_ends:
                problems.append((["financial_years", i, "ends"], f"repeats the year ending {ends}"))
            year_ends[ends] = i
        labour, fte = year.get("labour_payments_cents"), year.get("fte")
        if isinstance(labour, int) and labour > 0 and fte == 0:
            problems.append(
                (["financial_years", i, "fte"], "must be above 0 when labour payments are declared")
            )
    union = document.get("union_participation")
    if isinstance(union, dict):
        workers, members = union.get("workers"), union.get("union_members")
        if isinstance(workers, int) and isinstance(members, int) and members > workers:
            problems.append(
                (
                    ["union_participation", "union_members"],
                    f"must not exceed workers ({workers}), got {members}",
                )
            )
    participation = document.get("participation")
    if isinstance(participation, dict):
        decisions, voted = participation.get("decisions"), participation.get("voted")
        if isinstance(decisions, int) and isinstance(voted, int) and voted > decisions:
            problems.append(
                (
                    ["participation", "voted"],
                    f"must not exceed decisions ({decisions}), got {voted}",
                )
            )
    energy = document.get("energy")
    for server_id in energy if isinstance(energy, dict) else {}:
        if server_id not in server_ids:
            problems.append((["energy", server_id], f"no server has the id {server_id!r}"))
    for i, evidence in _items(document, "evidence"):
        subject = evidence.get("subject")
        kind, _, subject_id = subject.partition(":") if isinstance(subject, str) else ("", "", "")
        known = {"server": server_ids, "service": service_ids}.get(kind)
        if known is not None and subject_id not in known:
            problems.append((["evidence", i, "subject"], f"no {kind} has the id {subject_id!r}"))
        valid_from, valid_until = evidence.get("valid_from"), evidence.get("valid_until")
        if (
            isinstance(valid_from, str)
            and isinstance(valid_until, str)
            and valid_until < valid_from
        ):
            problems.append(
                (["evidence", i, "valid_until"], f"must not be before valid_from ({valid_from})")
            )
    return problems


def _ordered(parts: list[str | int]) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, p) if isinstance(p, int) else (1, p) for p in parts)


def _text(value: object) -> str | None:
    """Declared text, or None when it is missing or blank."""
    return value.strip() or None if isinstance(value, str) else None


def _date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def _optional_date(value: object) -> datetime.date | None:
    return _date(value) if isinstance(value, str) else None


def _decimal(value: object) -> Decimal | None:
    # str() first, so 2.6 becomes Decimal("2.6") and not the nearest binary fraction.
    return None if value is None else Decimal(str(value))


def _location(value: Mapping[str, Any]) -> Location:
    return Location(float(value["latitude"]), float(value["longitude"]), _text(value.get("name")))


def _build(document: Mapping[str, Any]) -> Dossier:
    partner = document["partner"]
    structure = partner["legal_structure"]
    union = document["union_participation"]
    ratio = document["pay_ratio"]
    end = document["end_of_life"]
    participation = document.get("participation")
    energy = document.get("energy")
    wind_down = document.get("wind_down")
    return Dossier(
        partner=Partner(
            name=partner["name"],
            legal_structure=LegalStructure(
                form=structure["form"],
                registration_number=_text(structure.get("registration_number")),
                statement_of_structure=_text(structure.get("statement_of_structure")),
            ),
            run_by=partner["run_by"],
            land_back_withheld_by_platform=partner["land_back_withheld_by_platform"],
        ),
        financial_years=tuple(
            FinancialYear(
                ends=_date(year["ends"]),
                gross_revenue_cents=int(year["gross_revenue_cents"]),
                labour_payments_cents=int(year["labour_payments_cents"]),
                fte=Decimal(str(year["fte"])),
                surplus_cents=int(year["surplus_cents"]),
                investor_returns_cents=int(year["investor_returns_cents"]),
                loan_repayments_cents=int(year["loan_repayments_cents"]),
                land_back_cents=int(year["land_back_cents"]),
            )
            for year in document["financial_years"]
        ),
        pay_ratio=PayRatio(_text(ratio["plan"]), _decimal(ratio["cap"]), _decimal(ratio["actual"])),
        union_participation=None
        if union is None
        else UnionParticipation(
            union["workers"], union["union_members"], _text(union.get("description"))
        ),
        commons_stewardship=_text(document["commons_stewardship"]),
        end_of_life=EndOfLife(
            _text(end["data_return"]),
            _text(end["user_migration"]),
            _text(end["infrastructure_handover"]),
        ),
        servers=tuple(
            Server(
                id=server["id"],
                role=server["role"],
                location=_location(server),
                hosting_company=server["hosting_company"],
                asn=server.get("asn"),
                ips=tuple(server["ips"]),
                operation_started=_date(server["operation_started"]),
                power=Power(
                    generation=server["power"]["generation"],
                    community_installation=_location(server["power"]["community_installation"])
                    if server["power"].get("community_installation")
                    else None,
                ),
            )
            for server in document["servers"]
        ),
        services=tuple(
            Service(
                id=service["id"],
                kind=service["kind"],
                licence=service["licence"].strip(),
                audience=service["audience"],
                servers=tuple(service["servers"]),
                lores=None
                if service["lores"] is None
                else LoresOption(service["lores"]["url"], service["lores"]["recommended"]),
                export_formats=tuple(service.get("export_formats", ())),
                account_move=service.get("account_move"),
            )
            for service in document["services"]
        ),
        evidence=tuple(
            Evidence(
                criterion=item["criterion"],
                subject=item["subject"],
                review=item["review"],
                valid_from=_optional_date(item.get("valid_from")),
                valid_until=_optional_date(item.get("valid_until")),
            )
            for item in document.get("evidence", [])
        ),
        participation=None
        if participation is None
        else Participation(participation["decisions"], participation["voted"]),
        energy=None
        if energy is None
        else {
            server_id: EnergyResults(
                fully_renewable_day=_optional_date(results.get("fully_renewable_day")),
                renewable_share_bp=results.get("renewable_share_bp"),
                days_measured=results.get("days_measured"),
                outage_hours_survived=results.get("outage_hours_survived"),
                measured_share_bp=results.get("measured_share_bp"),
                coverage_bp=results.get("coverage_bp"),
            )
            for server_id, results in energy.items()
        },
        wind_down=None
        if wind_down is None
        else WindDownProgress(
            page=wind_down["page"],
            shutdown_on=_date(wind_down["shutdown_on"]),
            completed_on=_optional_date(wind_down["completed_on"]),
            returned=wind_down["returned"],
            moved=wind_down["moved"],
            declined=wind_down["declined"],
            left=wind_down["left"],
        ),
    )


def parse_dossier(document: object) -> Dossier:
    """Check a decoded dossier document and return it as plain values.

    Raises:
        DossierError listing every problem, each with its JSON path, in document order.
    """
    found = _schema_problems(document)
    if isinstance(document, dict):
        found += _semantic_problems(document)
    if found:
        unique = dict.fromkeys(
            (json_path(parts), message)
            for parts, message in sorted(found, key=lambda f: _ordered(f[0]))
        )
        raise DossierError(list(unique))
    assert isinstance(document, dict)
    return _build(document)
