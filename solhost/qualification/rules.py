"""The charter as code: every criterion, the parameters it reads, and its check. Pure: no Django.

A check takes a ``Snapshot`` (the dossier with its evidence, the region, the published
cloud ranges), the parameter values in force and the day of the assessment, and returns
one ``Outcome`` per subject: one for the partner, or one per service or server. Each
outcome carries a status from ``STATUSES`` and one sentence saying why, with the numbers
used. ``CRITERIA_VERSION`` changes whenever a check changes meaning, so a stored report
can be told apart from one a later version would give.
"""

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from solhost.core.money import format_bp, format_dollars
from solhost.energy.wording import (
    STATUS_WORDS,
    OutageFigures,
    RenewableFigures,
    last_day_of_grace,
    outage_words,
    renewable_words,
)
from solhost.partners.exits import names_export_method
from solhost.partners.licences import LicenceExpressionError
from solhost.qualification.cloud_ranges import CloudRangeIndex, company_named, company_of_asn
from solhost.qualification.dossier import (
    REVIEW_APPROVED,
    Dossier,
    EnergyResults,
    LoresOption,
    Server,
    Service,
    WindDownProgress,
)
from solhost.qualification.free_software import judge_licence
from solhost.qualification.region_context import RegionContext

CRITERIA_VERSION: Final = "2026.12.4"

MET: Final = "met"
NOT_MET: Final = "not_met"
NEEDS_EVIDENCE: Final = "needs_evidence"
GRACE: Final = "grace"
NOT_APPLICABLE: Final = "not_applicable"
STATUSES: Final = (MET, NOT_MET, NEEDS_EVIDENCE, GRACE, NOT_APPLICABLE)
QUALIFYING: Final = frozenset({MET, GRACE, NOT_APPLICABLE})

# Charter B4: participation is not judged on fewer decisions than this.
MIN_DECISIONS_FOR_PARTICIPATION: Final = 2

PARTNER: Final = "partner"

ROLE_NAMES: Final[Mapping[str, str]] = {
    "primary": "a primary server",
    "offsite_backup": "an off-site backup",
    "dns": "a DNS server",
    "cloud_connector": "a cloud connector",
}


@dataclass(frozen=True)
class Outcome:
    """One criterion's result for one subject: ``partner``, ``server:<id>`` or ``service:<id>``."""

    criterion: str
    subject: str
    status: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {
            "criterion": self.criterion,
            "subject": self.subject,
            "status": self.status,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Snapshot:
    """Everything a check may look at."""

    dossier: Dossier
    region: RegionContext
    cloud_ranges: CloudRangeIndex = field(default_factory=CloudRangeIndex)


Params = Mapping[str, object]
Check = Callable[[Snapshot, Params, datetime.date], list[Outcome]]


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str
    parameters: tuple[str, ...]
    check: Check


# --- reading parameters and formatting numbers ----------------------------------------


def _int(params: Params, key: str) -> int:
    value = params[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"parameter {key} must be a whole number, got {value!r}")
    return value


def _texts(params: Params, key: str) -> tuple[str, ...]:
    value = params[key]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"parameter {key} must be a list of texts, got {value!r}")
    return tuple(value)


def _share_bp(part: int, whole: int) -> int:
    """``part`` as whole basis points of ``whole``, rounded down so 9.999 % never shows as 10 %."""
    return part * 10_000 // whole if whole else 0


def _status_in_words(status: str) -> str:
    """A status inside a sentence: ``not yet shown`` for ``needs_evidence``."""
    return STATUS_WORDS.get(status, status).lower()


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# --- evidence --------------------------------------------------------------------------


def _evidence_state(
    dossier: Dossier, criteria: Iterable[str], subject: str, at: datetime.date
) -> tuple[bool, str]:
    """Whether approved evidence is in force on ``at``, and if not, what state it is in."""
    wanted = set(criteria)
    found = [e for e in dossier.evidence if e.criterion in wanted and e.subject == subject]
    if any(e.in_force(at) for e in found):
        return True, "was approved by the steward"
    if not found:
        return False, "has no evidence yet"
    latest = found[-1]
    if (
        latest.review == REVIEW_APPROVED
        and latest.valid_until is not None
        and latest.valid_until < at
    ):
        return False, f"has evidence that expired on {latest.valid_until}"
    if latest.review == REVIEW_APPROVED and latest.valid_from is not None:
        return False, f"has evidence valid only from {latest.valid_from}"
    return False, {
        "pending": "has evidence awaiting the steward's review",
        "more_requested": "has evidence for which the steward asked for more",
        "rejected": "has evidence the steward rejected",
    }[latest.review]


def _reviewed(
    dossier: Dossier,
    criteria: Iterable[str],
    subject: str,
    at: datetime.date,
    *,
    what: str,
    met_reason: str,
) -> tuple[str, str]:
    in_force, state = _evidence_state(dossier, criteria, subject, at)
    if in_force:
        return MET, met_reason
    return NEEDS_EVIDENCE, f"{what} {state}"


def _partner(criterion: str, status: str, reason: str) -> list[Outcome]:
    return [Outcome(criterion, PARTNER, status, reason)]


def _no_year(criterion: str, at: datetime.date) -> list[Outcome]:
    return _partner(criterion, NEEDS_EVIDENCE, f"no financial year ended by {at} is declared")


# --- business criteria (per partner) ---------------------------------------------------


def check_b1_1(snapshot: Snapshot, params: Params, at: datetime.date) -> list[Outcome]:
    """B1.1 No profit beyond labour: the latest year's surplus stays within the allowed reserve."""
    year = snapshot.dossier.latest_year(at)
    if year is None:
        return _no_year("B1.1", at)
    reserve_bp = _int(params, "surplus_reserve_max_bp")
    gross, surplus = year.gross_revenue_cents, year.surplus_cents
    allowed = gross * reserve_bp // 10_000
    within = surplus * 10_000 <= gross * reserve_bp
    verb = "is within" if within else "exceeds"
    return _partner(
        "B1.1",
        MET if within else NOT_MET,
        f"the surplus of AUD {format_dollars(surplus)} for the year ending {year.ends} {verb} "
        f"the allowed reserve of AUD {format_dollars(allowed)} ({format_bp(reserve_bp)} of "
        f"gross revenue AUD {format_dollars(gross)})",
    )


def check_b1_2(snapshot: Snapshot, params: Params, at: datetime.date) -> list[Outcome]:
    """B1.2 No investor returns: none paid in the latest year (repaying loans is allowed)."""
    year = snapshot.dossier.latest_year(at)
    if year is None:
        return _no_year("B1.2", at)
    loans = f"loan repayments of AUD {format_dollars(year.loan_repayments_cents)} are allowed"
    if year.investor_returns_cents == 0:
        return _partner(
            "B1.2", MET, f"no investor returns were paid in the year ending {year.ends}; {loans}"
        )
    return _partner(
        "B1.2",
        NOT_MET,
        f"AUD {format_dollars(year.investor_returns_cents)} was paid to investors in the year "
        f"ending {year.ends}; only {loans}",
    )


def check_b1_3(snapshot: Snapshot, params: Params, at: datetime.date) -> list[Outcome]:
    """B1.3 Structure: a registered co-operative, or a written structure the steward accepts."""
    dossier = snapshot.dossier
    structure = dossier.partner.legal_structure
    if structure.form == "cooperative":
        number = structure.registration_number
        if number is None:
            return _partner(
                "B1.3",
                NEEDS_EVIDENCE,
                "a registered co-operative must give its registration number",
            )
        status, reason = _reviewed(
            dossier,
            ["B1.3"],
            PARTNER,
            at,
            what=f"co-operative {number}: the rules document",
            met_reason=f"registered co-operative {number}, with its rules document approved by the steward",
        )
        return _partner("B1.3", status, reason)
    if structure.statement_of_structure is None:
        return _partner(
            "B1.3",
            NEEDS_EVIDENCE,
            f"a partner that is not a registered co-operative ({structure.form}) must write a statement of structure",
        )
    status, reason = _reviewed(
        dossier,
        ["B1.3"],
        PARTNER,
        at,
        what=f"the {structure.form}'s statement of structure",
        met_reason=f"the {structure.form}'s statement of structure was accepted by the steward",
    )
    return _partner("B1.3", status, reason)


def check_b1_4(snapshot: Snapshot, params: Params, at: datetime.date) -> list[Outcome]:
    """B1.4 Labour solidarity: union participation, shown by evidence the steward approved.

    The evidence is what shows it; declared head counts say how far it goes, and none of
    the workers in a union is not met whatever the evidence.
    """
    union = snapshot.dossier.union_participation
    if union is None:
        status, reason = _reviewed(
            snapshot.dossier,
            ["B1.4"],
            PARTNER,
            at,
            what="union participation is not declared, and it",
            met_reason="union participation is shown by evidence the steward approved",
        )
        return _partner("B1.4", status, reason)
    counted = f"{union.union_members} of {_plural(union.workers, 'worker')} are union members"
    if union.union_members == 0:
        return _partner("B1.4", NOT_MET, counted)
    status, reason = _reviewed(
        snapshot.dossier,
        ["B1.4"],
        PARTNER,
        at,
        what=f"{counted}, which",
        met_reason=f"{counted}, shown by evidence the steward approved",
    )
    return _partner("B1.4", status, reason)


def check_b2(snapshot: Snapshot, params: Params, at: datetime.date) -> list[Outcome]:
    """B2 Commons stewardship: a written method for users' rights, accepted by the steward."""
    if snapshot.dossier.commons_stewardship is None:
        return _partner("B2", NEEDS_EVIDENCE, "no commons stewardship method is written")
    status, reason = _reviewed(
        snapshot.dossier,
        ["B2"],
        PARTNER,
        at,
        what="the written commons stewardship method",
        met_reason="the written commons stewardship method was accepted by the steward",
    )
    return _partner("B2", status, reason)


_END_OF_LIFE_PARTS: Final = {
    "B3.1": ("data_return", "every user's data is returned in a useful format"),
    "B3.2": ("user_migration", "users are moved to similar services"),
    "B3.3": ("infrastructure_handover", "servers and infrastructure are offered to other groups"),
}


def _end_of_life_part(criterion: str) -> Check:
    attribute, part = _END_OF_LIFE_PARTS[criterion]

    def check(snapshot: Snapshot, params: Params, at: datetime.date) -> list[Outcome]:
        if getattr(snapshot.dossier.end_of_life, attribute) is None:
            return _partner(
                criterion, NEEDS_EVIDENCE, f"the end-of-life plan does not say how {part}"
            )
        status, reason = _reviewed(
            snapshot.dossier,
            [criterion, "B3"],
            PARTNER,
            at,
            what=f"the end-of-life plan's part on how {part}",
            met_reason=f"the end-of-life plan says how {part}, and the steward approved it",
        )
        return _partner(criterion, status, reason)

    return check


def _export_methods(services: Sequence[Service]) -> tuple[bool, str]:
    """Whether every service names how residents get their data out, and which do not."""
    silent = [
        s.id for s in services if not names_export_method(s.export_formats, s.account_move or "")
    ]
    if not services:
        return True, "no services are listed yet"
    if not silent:
        each = (
            "its service names"
            if len(services) == 1
            else f"each of its {len(services)} services names"
        )
        return True, f"{each} how residents export their data"
    named = ", ".join(f"`{service_id}`" for service_id in silent)
    return False, f"no way for residents to export their data is named for {named}"


def _wind_down_words(progress: WindDownProgress, at: datetime.date) -> tuple[bool, str]:
    """Whether a wind-down left residents' data behind at its shutdown, and what it did, in
    words. Until the shutdown (or the steward completing it) it is still under way."""
    cases = _plural(progress.cases, "case")
    counts = f"{progress.returned} returned, {progress.moved} moved, {progress.declined} declined"
    shutdown = f"the shutdown on {progress.shutdown_on}"
    if progress.completed_on is None and at <= progress.shutdown_on:
        return False, (
            f"a wind-down is under way until {shutdown}: of its {cases}, {counts} and "
            f"{progress.left} not yet; see {progress.page}"
        )
    if progress.left:
        return True, (
            f"its wind-down left {progress.left} of its {cases} neither returned, moved nor "
            f"declined by {shutdown}; see {progress.page}"
        )
    return False, f"its wind-down returned or moved every case by {shutdown} ({counts})"


def check_b3_1(snapshot: Snapshot, params: Params, at: datetime.date) -> list[Outcome]:
    """B3.1 Users' data returned: the plan says how, the steward approved it, each service
    names how residents get their data out (its own export, or nothing kept), and a
    wind-down, if one ran, returned or moved every resident's case before the shutdown."""
    [plan] = _end_of_life_part("B3.1")(snapshot, params, at)
    every_service, services_words = _export_methods(snapshot.dossier.services)
    if every_service:
        status, reason = plan.status, f"{plan.reason}; {services_words}"
    else:
        # A service not saying how its data comes out is evidence still missing, not a failure.
        status = NEEDS_EVIDENCE if plan.status == MET else plan.status
        reason = f"{plan.reason}, but {services_words}"
    progress = snapshot.dossier.wind_down
    if progress is None:
        return _partner("B3.1", status, reason)
    # A plan is judged by what happened once it ran: data left behind fails whatever it said.
    left_behind, wind_down_words = _wind_down_words(progress, at)
    return _partner("B3.1", NOT_MET if left_behind else status, f"{reason}; {wind_down_words}")


def rolled_up(statuses: Iterable[str]) -> str:
    """The status of a whole from its parts: the worst part decides; all met or n/a is met."""
    found = set(statuses)
    for status in (NOT_MET, NEEDS_EVIDENCE, GRACE):
        if status in found:
            return status
    return MET


def check_b3(snapshot: Snapshot, params: Params, at: datetime.date) -> list[Outcome]:
    """B3 End-of-life plan: met when its parts B3.1, B3.2 and B3.3 all are."""
    parts = [
        *check_b3_1(snapshot, params, at),
        *_end_of_life_part("B3.2")(snapshot, params, at),
        *_end_of_life_part("B3.3")(snapshot, params, at),
    ]
    status = rolled_up(o.status for o in parts)
    if status == MET:
        return _partner("B3", MET, "the end-of-life plan covers B3.1, B3.2 and B3.3")
    open_parts = ", ".join(
        f"{o.criterion} {_status_in_words(o.status)}" for o in parts if o.status != MET
    )
    return _partner("B3", status, f"the end-of-life plan is not complete: {open_parts}")


def check_b4(snapshot: Snapshot, params: Params, at: datetime.date) -> list[Outcome]:
    """B4 Network participation: voted in enough of the network's recently closed decisions."""
    participation = snapshot.dossier.participation
    if participation is None:
        return _partner("B4", NEEDS_EVIDENCE, "governance participation is not recorded yet")
    window = _int(params, "participation_window_days")
    least_bp = _int(params, "participation_min_bp")
    decisions, voted = participation.decisions, participation.voted
    if decisions < MIN_DECISIONS_FOR_PARTICIPATION:
        return _partner(
            "B4",
            NEEDS_EVIDENCE,
            f"only {_plural(decisions, 'network decision')} closed in the last {window} days; "
            f"participation is judged from {MIN_DECISIONS_FOR_PARTICIPATION}",
        )
    enough = voted * 10_000 >= least_bp * decisions
    return _partner(
        "B4",
        MET if enough else NOT_MET,
        f"voted in {voted} of {decisions} decisions closed in the last {window} days "
        f"({format_bp(_share_bp(voted, decisions))}, least {format_bp(least_bp)})",
    )


def _ratio(value: Decimal) -> str:
    return f"{value.normalize():f}:1"


def check_b5_1(snapshot: Snapshot, params: Params, at: datetime.date) -> list[Outcome]:
    """B5.1 No widening inequality: a written pay plan whose ratio cap is kept or reviewed."""
    plan = snapshot.dossier.pay_ratio
    if plan.plan is None:
        return _partner("B5.1", NEEDS_EVIDENCE, "no written plan against widening inequality")
    if plan.cap is not None:
        if plan.actual is None:
            return _partner(
                "B5.1",
                NEEDS_EVIDENCE,
                f"the plan caps the pay ratio at {_ratio(plan.cap)} but the actual ratio is not declared",
            )
        within = plan.actual <= plan.cap
        return _partner(
            "B5.1",
            MET if within else NOT_MET,
            f"the highest-to-lowest pay ratio of {_ratio(plan.actual)} "
            f"{'is within' if within else 'exceeds'} the plan's cap of {_ratio(plan.cap)}",
        )
    status, reason = _reviewed(
        snapshot.dossier,
        ["B5.1"],
        PARTNER,
        at,
        what="the plan states no pay ratio cap, so it needs the steward's review, and it",
        met_reason="the plan states no pay ratio cap and the steward accepted it",
    )
    return _partner("B5.1", status, reason)


def check_b5_2(snapshot: Snapshot, params: Params, at: datetime.date) -> list[Outcome]:
    """B5.2 Pay ceiling: labour payments per full-time-equivalent worker within the ceiling."""
    year = snapshot.dossier.latest_year(at)
    if year is None:
        return _no_year("B5.2", at)
    ceiling = _int(params, "pay_ceiling_cents_per_fte")
    labour = year.labour_payments_cents
    if labour == 0:
        return _partner(
            "B5.2",
            MET,
            f"no labour payments in the year ending {year.ends} "
            f"(ceiling AUD {format_dollars(ceiling)} per FTE)",
        )
    per_fte = int((Decimal(labour) / year.fte).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    within = Decimal(labour) <= ceiling * year.fte
    return _partner(
        "B5.2",
        MET if within else NOT_MET,
        f"labour payments of AUD {format_dollars(labour)} over {year.fte.normalize():f} FTE in the "
        f"year ending {year.ends} are AUD {format_dollars(per_fte)} per FTE "
        f"(ceiling AUD {format_dollars(ceiling)})",
    )


def check_b6(snapshot: Snapshot, params: Params, at: datetime.date) -> list[Outcome]:
    """B6 Everything qualifies: every service and server meets every V and S criterion."""
    parts = [
        outcome
        for criterion in CRITERIA
        if criterion.id[0] in "VS"
        for outcome in criterion.check(snapshot, params, at)
    ]
    status = rolled_up(o.status for o in parts)
    dossier = snapshot.dossier
    counted = (
        f"{_plural(len(dossier.services), 'service')} on {_plural(len(dossier.servers), 'server')}"
    )
    if status == MET:
        return _partner("B6", MET, f"all {counted} meet every V and S criterion")
    listed = ", ".join(
        f"{o.criterion} {o.subject} {_status_in_words(o.status)}"
        for o in parts
        if o.status == status
    )
    if status == GRACE:
        return _partner("B6", GRACE, f"all {counted} qualify, some within a grace period: {listed}")
    return _partner("B6", status, f"not all {counted} qualify: {listed}")


def check_b7(snapshot: Snapshot, params: Params, at: datetime.date) -> list[Outcome]:
    """B7 Land back: a settler-run partner gives enough of its gross revenue to land back."""
    dossier = snapshot.dossier
    if not dossier.partner.settler_run:
        in_force, state = _evidence_state(dossier, ["B7"], PARTNER, at)
        if in_force:
            return _partner(
                "B7", NOT_APPLICABLE, "the partner is First Nations-run, as reviewed by the steward"
            )
        return _partner(
            "B7",
            NEEDS_EVIDENCE,
            f"the partner declares it is First Nations-run, which the steward reviews, and it {state}",
        )
    year = dossier.latest_year(at)
    if year is None:
        return _no_year("B7", at)
    least_bp = _int(params, "land_back_min_bp")
    gross, given = year.gross_revenue_cents, year.land_back_cents
    enough = given * 10_000 >= least_bp * gross
    return _partner(
        "B7",
        MET if enough else NOT_MET,
        f"land-back contributions of AUD {format_dollars(given)} are "
        f"{format_bp(_share_bp(given, gross))} of gross revenue AUD {format_dollars(gross)} "
        f"in the year ending {year.ends} (least {format_bp(least_bp)})",
    )


# --- service criteria ------------------------------------------------------------------


def _service(criterion: str, service: Service, status: str, reason: str) -> Outcome:
    return Outcome(criterion, f"service:{service.id}", status, f"service `{service.id}`: {reason}")


def check_v1(snapshot: Snapshot, params: Params, at: datetime.date) -> list[Outcome]:
    """V1 Free software: each service's licence expression resolves to free licences."""
    liberatory = _texts(params, "liberatory_licences")
    outcomes = []
    for service in snapshot.dossier.services:
        try:
            verdict = judge_licence(service.licence, liberatory)
        except LicenceExpressionError as error:
            outcomes.append(_service("V1", service, NOT_MET, str(error)))
            continue
        if verdict.free:
            reason = (
                f"licence `{service.licence}` resolves to free licences: {', '.join(verdict.used)}"
            )
        else:
            reason = f"licence `{service.licence}` needs licences that are not free: {', '.join(verdict.blockers)}"
        outcomes.append(_service("V1", service, MET if verdict.free else NOT_MET, reason))
    return outcomes


def check_v2(snapshot: Snapshot, params: Params, at: datetime.date) -> list[Outcome]:
    """V2 LoRes compatible: a public service of a kind the mesh covers is offered over LoRes."""
    covered = snapshot.region.lores_kinds
    outcomes = []
    for service in snapshot.dossier.services:
        if service.kind not in covered:
            outcomes.append(
                _service(
                    "V2",
                    service,
                    NOT_APPLICABLE,
                    f"the LoRes mesh does not cover the kind `{service.kind}`",
                )
            )
        elif service.audience != "public":
            outcomes.append(
                _service(
                    "V2",
                    service,
                    NOT_APPLICABLE,
                    f"it is offered to {service.audience}, not the general public",
                )
            )
        elif service.lores is None:
            outcomes.append(
                _service(
                    "V2",
                    service,
                    NOT_MET,
                    f"the LoRes mesh covers the kind `{service.kind}` but the service is not "
                    "available on it: no app running it is installed on a LoRes node linked "
                    "to the partner's servers",
                )
            )
        elif not service.lores.recommended:
            outcomes.append(
                _service(
                    "V2",
                    service,
                    NOT_MET,
                    f"{_lores_way(service.lores)} is offered but not recommended",
                )
            )
        else:
            outcomes.append(
                _service(
                    "V2", service, MET, f"{_lores_way(service.lores)} is offered and recommended"
                )
            )
    return outcomes


def _lores_way(lores: LoresOption) -> str:
    address = f"the LoRes address {lores.url}" if lores.url else "the LoRes way"
    return f"{address} ({lores.found})" if lores.found else address


# --- server criteria -------------------------------------------------------------------


def _server(criterion: str, server: Server, status: str, reason: str) -> Outcome:
    return Outcome(criterion, f"server:{server.id}", status, reason)


def _exception_role(server: Server, params: Params) -> bool:
    return server.role in _texts(params, "s1_exception_roles")


def _role(server: Server) -> str:
    return ROLE_NAMES.get(server.role, f"a {server.role} server")


def hyperscaler(server: Server, ranges: CloudRangeIndex, companies: Sequence[str]) -> str | None:
    """Why the server counts as hosted by an excluded company, or None."""
    named = company_named(server.hosting_company, companies)
    if named is not None:
        return f"its declared host `{server.hosting_company}` is {named}"
    if server.asn is not None:
        by_asn = company_of_asn(server.asn, companies)
        if by_asn is not None:
            return f"its network AS{server.asn} belongs to {by_asn}"
    for ip in server.ips:
        found = ranges.find(ip)
        if found is not None and found.company in companies:
            return f"its address {ip} is in {found.company}'s published range {found.network}"
    return None


def _distance_reason(what: str, metres: int, limit: int) -> str:
    if metres == 0:
        return f"{what} is inside the boundary"
    return f"{what} is {metres} m outside the boundary (limit {limit} m)"


def _in_words(names: Sequence[str]) -> str:
    """``["Amazon", "Google", "Microsoft"]`` as ``Amazon, Google or Microsoft``."""
    return " or ".join(filter(None, [", ".join(names[:-1]), *names[-1:]]))


def check_s1(snapshot: Snapshot, params: Params, at: datetime.date) -> list[Outcome]:
    """S1 Local: in or near the region, or an exception role not hosted by a hyperscaler."""
    limit = _int(params, "local_max_distance_m")
    companies = _texts(params, "excluded_cloud_companies")
    unchecked = "; its IP addresses were not compared with cloud ranges, as none were loaded"
    outcomes = []
    for server in snapshot.dossier.servers:
        name = f"server `{server.id}`"
        excluded = hyperscaler(server, snapshot.cloud_ranges, companies)
        if excluded is not None:
            outcomes.append(
                _server("S1", server, NOT_MET, f"{name} cannot qualify anywhere: {excluded}")
            )
            continue
        note = unchecked if server.ips and not len(snapshot.cloud_ranges) else ""
        if _exception_role(server, params):
            reason = (
                f"{name} is {_role(server)}, which may be anywhere, and is not hosted by "
                f"{_in_words(companies)}{note}"
            )
            outcomes.append(_server("S1", server, MET, reason))
            continue
        metres = round(
            snapshot.region.metres_outside(server.location.latitude, server.location.longitude)
        )
        outcomes.append(
            _server(
                "S1",
                server,
                MET if metres <= limit else NOT_MET,
                _distance_reason(name, metres, limit) + note,
            )
        )
    return outcomes


def _energy(snapshot: Snapshot, server: Server) -> EnergyResults:
    return (snapshot.dossier.energy or {}).get(server.id, EnergyResults())


def _data_centre_evidence(
    snapshot: Snapshot, criterion: str, server: Server, at: datetime.date
) -> Outcome:
    status, reason = _reviewed(
        snapshot.dossier,
        [criterion, "S2"],
        f"server:{server.id}",
        at,
        what=f"server `{server.id}` is {_role(server)} in a data centre, judged on evidence of its renewable supply, and it",
        met_reason=f"server `{server.id}` is {_role(server)} in a data centre whose renewable supply the steward approved",
    )
    return _server(criterion, server, status, reason)


def check_s2_1(snapshot: Snapshot, params: Params, at: datetime.date) -> list[Outcome]:
    """S2.1 100 % renewable in optimal conditions: a day with no grid energy, shown or modelled."""
    outcomes = []
    for server in snapshot.dossier.servers:
        if _exception_role(server, params):
            outcomes.append(_data_centre_evidence(snapshot, "S2.1", server, at))
            continue
        day = _energy(snapshot, server).fully_renewable_day
        if day is None:
            outcomes.append(
                _server(
                    "S2.1",
                    server,
                    NEEDS_EVIDENCE,
                    f"no telemetry or model shows a day on which server `{server.id}` used no grid energy",
                )
            )
        else:
            outcomes.append(
                _server("S2.1", server, MET, f"server `{server.id}` used no grid energy on {day}")
            )
    return outcomes


def check_s2_2(snapshot: Snapshot, params: Params, at: datetime.date) -> list[Outcome]:
    """S2.2 80 % renewable on average: the renewable share over the rolling window."""
    window = _int(params, "renewable_window_days")
    least_bp = _int(params, "renewable_min_share")
    outcomes = []
    for server in snapshot.dossier.servers:
        if _exception_role(server, params):
            outcomes.append(_data_centre_evidence(snapshot, "S2.2", server, at))
            continue
        results = _energy(snapshot, server)
        share = results.renewable_share_bp
        status = NEEDS_EVIDENCE if share is None else MET if share >= least_bp else NOT_MET
        days = window if results.days_measured is None else min(results.days_measured, window)
        coverage = results.coverage_bp
        if coverage is None and share is not None:
            # A self-assessment states a share and, at most, the days it covers.
            coverage = days * 10_000 // window
        words = renewable_words(
            RenewableFigures(
                status=status,
                share_bp=results.measured_share_bp if share is None else share,
                days_measured=days,
                coverage_bp=coverage,
                window_days=window,
                least_bp=least_bp,
                min_coverage_bp=_int(params, "energy_min_coverage_bp"),
            )
        )
        outcomes.append(_server("S2.2", server, status, f"server `{server.id}`: {words.sentence}"))
    return outcomes


def check_s2_3(snapshot: Snapshot, params: Params, at: datetime.date) -> list[Outcome]:
    """S2.3 Local generation: on site, or by a community installation inside the region."""
    limit = _int(params, "local_max_distance_m")
    outcomes = []
    for server in snapshot.dossier.servers:
        name = f"server `{server.id}`"
        power = server.power
        if _exception_role(server, params):
            outcomes.append(
                _server(
                    "S2.3",
                    server,
                    NOT_APPLICABLE,
                    f"{name} is {_role(server)} outside the region by design",
                )
            )
        elif power.generation == "on_site":
            outcomes.append(_server("S2.3", server, MET, f"{name} has generation on its site"))
        elif power.community_installation is not None:
            site = power.community_installation
            metres = round(snapshot.region.metres_outside(site.latitude, site.longitude))
            label = (
                f"the community installation `{site.name}`"
                if site.name
                else "the community installation"
            )
            outcomes.append(
                _server(
                    "S2.3",
                    server,
                    MET if metres <= limit else NOT_MET,
                    _distance_reason(f"{name} draws on {label}, which", metres, limit),
                )
            )
        else:
            outcomes.append(
                _server(
                    "S2.3",
                    server,
                    NOT_MET,
                    f"{name} has no generation on site or in a community installation",
                )
            )
    return outcomes


def check_s3(snapshot: Snapshot, params: Params, at: datetime.date) -> list[Outcome]:
    """S3 Outage fallback: each server rides through the required outage after its grace."""
    grace_days = _int(params, "outage_grace_days")
    required = _int(params, "outage_hours")
    outcomes = []
    for server in snapshot.dossier.servers:
        name = f"server `{server.id}`"
        if _exception_role(server, params):
            outcomes.append(
                _server(
                    "S3",
                    server,
                    NOT_APPLICABLE,
                    f"{name} is {_role(server)} outside the region by design",
                )
            )
            continue
        hours = _energy(snapshot, server).outage_hours_survived
        grace_ends = last_day_of_grace(server.operation_started, grace_days)
        if hours is not None and hours >= required:
            status = MET
        elif at <= grace_ends:
            status = GRACE
        elif hours is None:
            status = NEEDS_EVIDENCE
        else:
            status = NOT_MET
        words = outage_words(
            OutageFigures(
                status=status,
                hours_required=required,
                hours_lasted=hours,
                grace_last_day=grace_ends,
                analysed=server.id in (snapshot.dossier.energy or {}),
            )
        )
        outcomes.append(_server("S3", server, status, f"{name}: {words.sentence}"))
    return outcomes


CRITERIA: Final[tuple[Criterion, ...]] = (
    Criterion("B1.1", "No profit beyond labour", ("surplus_reserve_max_bp",), check_b1_1),
    Criterion("B1.2", "No investor returns", (), check_b1_2),
    Criterion("B1.3", "Solidarity economy in the legal structure", (), check_b1_3),
    Criterion("B1.4", "Labour solidarity", (), check_b1_4),
    Criterion("B2", "Commons stewardship", (), check_b2),
    Criterion("B3.1", "End of life: users' data returned", (), check_b3_1),
    Criterion(
        "B3.2", "End of life: users moved to similar services", (), _end_of_life_part("B3.2")
    ),
    Criterion(
        "B3.3", "End of life: infrastructure offered to others", (), _end_of_life_part("B3.3")
    ),
    Criterion("B3", "End-of-life plan", (), check_b3),
    Criterion(
        "B4",
        "Network participation",
        ("participation_min_bp", "participation_window_days"),
        check_b4,
    ),
    Criterion("B5.1", "No widening inequality", (), check_b5_1),
    Criterion("B5.2", "Pay ceiling", ("pay_ceiling_cents_per_fte",), check_b5_2),
    Criterion(
        "B6",
        "Every service and server qualifies",
        (
            "liberatory_licences",
            "local_max_distance_m",
            "s1_exception_roles",
            "excluded_cloud_companies",
            "renewable_window_days",
            "renewable_min_share",
            "energy_min_coverage_bp",
            "outage_grace_days",
            "outage_hours",
        ),
        check_b6,
    ),
    Criterion("B7", "Land back", ("land_back_min_bp",), check_b7),
    Criterion("V1", "Free software", ("liberatory_licences",), check_v1),
    Criterion("V2", "LoRes compatible", (), check_v2),
    Criterion(
        "S1",
        "Local",
        ("local_max_distance_m", "s1_exception_roles", "excluded_cloud_companies"),
        check_s1,
    ),
    Criterion("S2.1", "100 % renewable in optimal conditions", ("s1_exception_roles",), check_s2_1),
    Criterion(
        "S2.2",
        "80 % renewable on average",
        (
            "renewable_window_days",
            "renewable_min_share",
            "energy_min_coverage_bp",
            "s1_exception_roles",
        ),
        check_s2_2,
    ),
    Criterion(
        "S2.3", "Local generation", ("local_max_distance_m", "s1_exception_roles"), check_s2_3
    ),
    Criterion(
        "S3",
        "Outage fallback",
        ("outage_grace_days", "outage_hours", "s1_exception_roles"),
        check_s3,
    ),
)

REGISTRY: Final[Mapping[str, Criterion]] = {criterion.id: criterion for criterion in CRITERIA}


# Met when all their parts are: counting them as well would count every part twice.
ROLL_UPS: Final = frozenset({"B3", "B6"})


@dataclass(frozen=True)
class Progress:
    """Of the ``total`` criteria judged, how many are ``shown`` (every outcome met, in grace
    or not applicable) and how many are ``not_met`` for some subject; the rest wait for
    evidence or data, which is never counted as not met."""

    shown: int
    not_met: int
    total: int

    @property
    def waiting(self) -> int:
        """Criteria not yet shown: waiting for evidence or data, none of them failing."""
        return self.total - self.shown - self.not_met


def progress(results: Iterable[tuple[str, str]]) -> Progress:
    """Progress from ``(criterion, status)`` pairs: one per outcome, of one run."""
    statuses: dict[str, set[str]] = {}
    for criterion, status in results:
        if criterion not in ROLL_UPS:
            statuses.setdefault(criterion, set()).add(status)
    return Progress(
        shown=sum(found <= QUALIFYING for found in statuses.values()),
        not_met=sum(NOT_MET in found for found in statuses.values()),
        total=len(statuses),
    )


def parameters_read() -> tuple[str, ...]:
    """Every parameter key some criterion reads, in first-use order."""
    return tuple(dict.fromkeys(key for c in CRITERIA for key in c.parameters))


def evaluate(snapshot: Snapshot, params: Params, at: datetime.date) -> list[Outcome]:
    """Every criterion's outcomes, in registry order."""
    return [outcome for criterion in CRITERIA for outcome in criterion.check(snapshot, params, at)]


def qualified(outcomes: Iterable[Outcome]) -> bool:
    """True only when every outcome is met, grace or not_applicable."""
    return all(outcome.status in QUALIFYING for outcome in outcomes)


def report(outcomes: Sequence[Outcome], params: Params) -> dict[str, object]:
    """The published form of an assessment: version, verdict, outcomes and the parameters used."""
    return {
        "criteria_version": CRITERIA_VERSION,
        "qualified": qualified(outcomes),
        "outcomes": [outcome.as_dict() for outcome in outcomes],
        "parameters": {key: params[key] for key in parameters_read()},
    }
