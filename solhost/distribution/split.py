"""A period's user-centric split, from a scenario to every cent. Pure: no Django.

A scenario holds everything the split needs: the period, the pool shares, the land-back
rate, the minimum payout, each resident's settled payment and active days per service,
which partner runs each service, and each partner's standing. ``parse_scenario`` checks
it and lists every problem by its JSON path; ``split_period`` applies the five steps of
ARCHITECTURE.md ("The split") and proves that every cent in is a cent out.

How land back, held and carried money meet is explained in
docs/decisions/0002-held-and-carried-money.md.
"""

import calendar
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final

from solhost.core.problems import InputProblems
from solhost.distribution.allocation import allocate

ALGORITHM_VERSION: Final = "solhost-split-1"

ZERO_USAGE_RULES: Final = ("commons", "solidarity")

BASIS_POINTS: Final = 10_000

_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

_SCENARIO_FIELDS: Final = frozenset(
    {
        "period",
        "algorithm",
        "pools_bp",
        "land_back_bp",
        "min_payout_cents",
        "zero_usage_rule",
        "members",
        "services",
        "partners",
    }
)
_POOL_FIELDS: Final = frozenset({"commons", "solidarity"})
_MEMBER_FIELDS: Final = frozenset({"id", "paid_cents", "active_days"})
_PARTNER_FIELDS: Final = frozenset(
    {"settler_run", "withhold_land_back", "qualified", "carried_cents"}
)


class ScenarioError(InputProblems):
    """A scenario with problems; ``problems`` lists ``(path, message)`` pairs, paths like ``$.members[3].paid_cents``."""


@dataclass(frozen=True)
class Member:
    id: str
    paid_cents: int
    active_days: Mapping[str, int]


@dataclass(frozen=True)
class Partner:
    settler_run: bool
    withhold_land_back: bool
    qualified: bool
    carried_cents: int


@dataclass(frozen=True)
class Scenario:
    """A checked scenario; build it with ``parse_scenario``, which guarantees its invariants."""

    period: str
    commons_bp: int
    solidarity_bp: int
    land_back_bp: int
    min_payout_cents: int
    zero_usage_rule: str
    members: tuple[Member, ...]
    services: Mapping[str, str]
    partners: Mapping[str, Partner]

    @property
    def providers_bp(self) -> int:
        return BASIS_POINTS - self.commons_bp - self.solidarity_bp

    def canonical(self) -> dict[str, Any]:
        """The scenario as the JSON it stands for, members in id order, without ``algorithm``."""
        return {
            "period": self.period,
            "pools_bp": {"commons": self.commons_bp, "solidarity": self.solidarity_bp},
            "land_back_bp": self.land_back_bp,
            "min_payout_cents": self.min_payout_cents,
            "zero_usage_rule": self.zero_usage_rule,
            "members": [
                {"id": m.id, "paid_cents": m.paid_cents, "active_days": dict(m.active_days)}
                for m in sorted(self.members, key=lambda m: m.id)
            ],
            "services": dict(self.services),
            "partners": {key: asdict(partner) for key, partner in self.partners.items()},
        }

    def input_hash(self) -> str:
        """sha256 of the canonical JSON: sorted keys, no whitespace, UTF-8."""
        text = json.dumps(
            self.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(text.encode()).hexdigest()


_MISSING: Final = object()
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _at(path: str, key: str) -> str:
    """The JSON path of ``key`` inside the object at ``path``: ``$.a.b``, or ``$.a["b c"]``."""
    return f"{path}.{key}" if _PLAIN_KEY.fullmatch(key) else f"{path}[{json.dumps(key)}]"


def _show(value: object) -> str:
    """A value as the scenario's author wrote it: JSON for scalars, the kind for the rest."""
    if value is None or isinstance(value, str | int | float):
        return json.dumps(value)
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


class _Checker:
    """Collects every problem of a document instead of stopping at the first.

    A field that is missing was already reported by ``obj``; the checks pass over it
    (``_MISSING``) quietly and return a stand-in that is never used, since any problem
    means no Scenario is built.
    """

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def whole(self, value: object, path: str, unit: str, maximum: int | None = None) -> int:
        if value is _MISSING:
            return 0
        # Floats are refused even when whole (12.0): money never passes through binary fractions.
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < 0
            or (maximum is not None and value > maximum)
        ):
            bound = "" if maximum is None else f" and ≤ {maximum}"
            self.problem(path, f"must be a whole number of {unit} ≥ 0{bound}, got {_show(value)}")
            return 0
        return value

    def flag(self, value: object, path: str) -> bool:
        if value is _MISSING:
            return False
        if not isinstance(value, bool):
            self.problem(path, f"must be true or false, got {_show(value)}")
            return False
        return value

    def text(self, value: object, path: str) -> str:
        if value is _MISSING:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(path, f"must be non-empty text, got {_show(value)}")
            return ""
        return value

    def obj(self, value: object, path: str, fields: frozenset[str] | None = None) -> dict[str, Any]:
        """The object at ``path``; with ``fields``, each missing or unknown one is a problem.

        Without ``fields`` the object is a map whose keys are names, which must not be empty.
        """
        if value is _MISSING:
            return {}
        if not isinstance(value, dict):
            self.problem(path, f"must be an object, got {_show(value)}")
            return {}
        if fields is None:
            if "" in value:
                self.problem(_at(path, ""), "names must not be empty")
            return value
        for name in sorted(fields - value.keys() - {"algorithm"}):
            self.problem(_at(path, name), "is required")
        for name in sorted(value.keys() - fields):
            self.problem(_at(path, name), "is not a field here")
        return value


def _days_in(period: str) -> int:
    year, month = (int(part) for part in period.split("-"))
    return calendar.monthrange(year, month)[1]


def parse_scenario(document: object) -> Scenario:
    """Check a decoded scenario document and return it as a Scenario.

    Every field is required except ``algorithm``, which, when given, must be
    ALGORITHM_VERSION. Raises ScenarioError listing every problem with its JSON path,
    e.g. ``("$.members[3].paid_cents", "must be a whole number of cents ≥ 0, got 12.5")``.
    """
    check = _Checker()
    root = check.obj(document, "$", _SCENARIO_FIELDS)

    algorithm = root.get("algorithm", ALGORITHM_VERSION)
    if algorithm != ALGORITHM_VERSION:
        check.problem(
            "$.algorithm",
            f"this program computes {ALGORITHM_VERSION} and cannot reproduce "
            f"{_show(algorithm)}; use the version that matches the scenario",
        )

    period = check.text(root.get("period", _MISSING), "$.period")
    if period and not _PERIOD.fullmatch(period):
        check.problem("$.period", f"must be a month as YYYY-MM, got {_show(period)}")
        period = ""
    days_in_period = _days_in(period) if period else None

    pools = check.obj(root.get("pools_bp", _MISSING), "$.pools_bp", _POOL_FIELDS)
    commons_bp = check.whole(pools.get("commons", _MISSING), "$.pools_bp.commons", "basis points")
    solidarity_bp = check.whole(
        pools.get("solidarity", _MISSING), "$.pools_bp.solidarity", "basis points"
    )
    if commons_bp + solidarity_bp > BASIS_POINTS:
        check.problem(
            "$.pools_bp",
            f"commons and solidarity together must be at most {BASIS_POINTS} basis points, "
            f"got {commons_bp + solidarity_bp}",
        )
    land_back_bp = check.whole(
        root.get("land_back_bp", _MISSING), "$.land_back_bp", "basis points", BASIS_POINTS
    )
    min_payout_cents = check.whole(
        root.get("min_payout_cents", _MISSING), "$.min_payout_cents", "cents"
    )
    zero_usage_rule = root.get("zero_usage_rule", ZERO_USAGE_RULES[0])
    if zero_usage_rule not in ZERO_USAGE_RULES:
        check.problem(
            "$.zero_usage_rule",
            f"must be one of {', '.join(ZERO_USAGE_RULES)}, got {_show(zero_usage_rule)}",
        )

    partners: dict[str, Partner] = {}
    for key, value in check.obj(root.get("partners", _MISSING), "$.partners").items():
        path = _at("$.partners", key)
        fields = check.obj(value, path, _PARTNER_FIELDS)
        partners[key] = Partner(
            settler_run=check.flag(fields.get("settler_run", _MISSING), f"{path}.settler_run"),
            withhold_land_back=check.flag(
                fields.get("withhold_land_back", _MISSING), f"{path}.withhold_land_back"
            ),
            qualified=check.flag(fields.get("qualified", _MISSING), f"{path}.qualified"),
            carried_cents=check.whole(
                fields.get("carried_cents", _MISSING), f"{path}.carried_cents", "cents"
            ),
        )

    services: dict[str, str] = {}
    for key, value in check.obj(root.get("services", _MISSING), "$.services").items():
        path = _at("$.services", key)
        partner = check.text(value, path)
        if partner and partner not in partners:
            check.problem(path, f"names the unknown partner {_show(partner)}")
        services[key] = partner

    members: list[Member] = []
    first_seen: dict[str, str] = {}
    listed = root.get("members", [])
    if not isinstance(listed, list):
        check.problem("$.members", f"must be a list, got {_show(listed)}")
        listed = []
    for index, value in enumerate(listed):
        path = f"$.members[{index}]"
        fields = check.obj(value, path, _MEMBER_FIELDS)
        member_id = check.text(fields.get("id", _MISSING), f"{path}.id")
        if member_id in first_seen:
            check.problem(f"{path}.id", f"repeats the id of {first_seen[member_id]}")
        elif member_id:
            first_seen[member_id] = path
        active_days: dict[str, int] = {}
        days_at = f"{path}.active_days"
        for service, days in check.obj(fields.get("active_days", _MISSING), days_at).items():
            active_days[service] = check.whole(days, _at(days_at, service), "days", days_in_period)
            if service and service not in services:
                check.problem(_at(days_at, service), f"names the unknown service {_show(service)}")
        paid_cents = check.whole(fields.get("paid_cents", _MISSING), f"{path}.paid_cents", "cents")
        members.append(Member(id=member_id, paid_cents=paid_cents, active_days=active_days))

    if check.problems:
        raise ScenarioError(check.problems)
    return Scenario(
        period=period,
        commons_bp=commons_bp,
        solidarity_bp=solidarity_bp,
        land_back_bp=land_back_bp,
        min_payout_cents=min_payout_cents,
        zero_usage_rule=zero_usage_rule,
        members=tuple(members),
        services=services,
        partners=partners,
    )


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of two equal keys silently; for money that hides a mistake.
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"the key {_show(key)} appears twice in one object")
        seen[key] = value
    return seen


def load_scenario(text: str) -> Scenario:
    """Decode scenario JSON text and check it; bad JSON is a problem at path ``$``."""
    try:
        document = json.loads(text, object_pairs_hook=_no_repeated_keys)
    except ValueError as error:
        raise ScenarioError([("$", f"is not valid JSON: {error}")]) from error
    return parse_scenario(document)


@dataclass(frozen=True)
class MemberSplit:
    """Where one resident's payment went."""

    id: str
    paid_cents: int
    commons_cents: int
    solidarity_cents: int
    providers_cents: int
    zero_usage_cents: int
    services: dict[str, int]


@dataclass(frozen=True)
class PartnerSplit:
    """One partner's figures for the period; every amount is whole cents ≥ 0."""

    qualified: bool
    residents: int
    active_days: int
    gross_cents: int
    land_back_cents: int
    net_cents: int
    held_cents: int
    carried_in_cents: int
    payout_cents: int
    carried_cents: int


@dataclass(frozen=True)
class Pools:
    """The period's totals; commons or solidarity includes the zero-usage money."""

    commons_cents: int
    solidarity_cents: int
    zero_usage_cents: int
    providers_cents: int
    land_back_cents: int


@dataclass(frozen=True)
class Balance:
    """``total_in == commons + solidarity + land_back + held + payout + carried_delta``.

    ``carried_delta`` is carried out minus carried in: negative when old balances were
    paid out this period. Every term is summed from its own rows, not derived.
    """

    total_in_cents: int
    commons_cents: int
    solidarity_cents: int
    land_back_cents: int
    held_cents: int
    payout_cents: int
    carried_in_cents: int
    carried_out_cents: int
    carried_delta_cents: int
    total_out_cents: int
    balanced: bool


@dataclass(frozen=True)
class PeriodSplit:
    algorithm: str
    input_hash: str
    period: str
    zero_usage_rule: str
    pools: Pools
    partners: dict[str, PartnerSplit]
    members: list[MemberSplit]
    balance: Balance

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def land_back_cents(gross_cents: int, land_back_bp: int) -> int:
    """``ceil(gross * bp / 10000)`` in whole numbers: the land-back share rounds up."""
    return -(-gross_cents * land_back_bp // BASIS_POINTS)


def _split_member(scenario: Scenario, member: Member) -> MemberSplit:
    pools = allocate(
        member.paid_cents,
        {
            "commons": scenario.commons_bp,
            "solidarity": scenario.solidarity_bp,
            "providers": scenario.providers_bp,
        },
        f"{scenario.period}:{member.id}:pools",
    )
    used = sum(member.active_days.values()) > 0
    by_service = (
        allocate(pools["providers"], member.active_days, f"{scenario.period}:{member.id}")
        if used
        else {}
    )
    return MemberSplit(
        id=member.id,
        paid_cents=member.paid_cents,
        commons_cents=pools["commons"],
        solidarity_cents=pools["solidarity"],
        providers_cents=pools["providers"],
        zero_usage_cents=0 if used else pools["providers"],
        services=dict(sorted(by_service.items())),
    )


def _split_partner(
    scenario: Scenario, partner: Partner, gross: int, residents: int, active_days: int
) -> PartnerSplit:
    withholds = partner.settler_run and partner.withhold_land_back
    land_back = land_back_cents(gross, scenario.land_back_bp) if withholds else 0
    net = gross - land_back
    carried_in = partner.carried_cents
    if not partner.qualified:
        held, payout, carried = net, 0, carried_in
    elif carried_in + net >= scenario.min_payout_cents:
        held, payout, carried = 0, carried_in + net, 0
    else:
        held, payout, carried = 0, 0, carried_in + net
    return PartnerSplit(
        qualified=partner.qualified,
        residents=residents,
        active_days=active_days,
        gross_cents=gross,
        land_back_cents=land_back,
        net_cents=net,
        held_cents=held,
        carried_in_cents=carried_in,
        payout_cents=payout,
        carried_cents=carried,
    )


def split_period(scenario: Scenario) -> PeriodSplit:
    """Apply the five steps of the split to a checked scenario.

    1. each resident's payment into commons, solidarity and providers (``allocate``,
       salt ``"{period}:{member}:pools"``);
    2. the providers part by active days per service (salt ``"{period}:{member}"``), or,
       for a resident with no active days, to the zero-usage rule's pool;
    3. per partner, the gross: the sum over residents of its services' parts;
    4. land back ``ceil(gross * land_back_bp / 10000)`` for settler-run partners who
       chose withholding, whether or not they qualify; the rest is the net;
    5. the net of a partner not qualified is held (its carried balance stays as it is);
       otherwise it is paid with the carried balance if together they reach the minimum
       payout, else carried forward.

    Returns the figures with a balance check; asserts that it balances to the cent.
    """
    ordered = sorted(scenario.members, key=lambda m: m.id)
    members = [_split_member(scenario, m) for m in ordered]

    gross = dict.fromkeys(scenario.partners, 0)
    residents = dict.fromkeys(scenario.partners, 0)
    days = dict.fromkeys(scenario.partners, 0)
    for member, split in zip(ordered, members, strict=True):
        used_partners = set()
        for service, cents in split.services.items():
            gross[scenario.services[service]] += cents
        for service, count in member.active_days.items():
            if count:
                days[scenario.services[service]] += count
                used_partners.add(scenario.services[service])
        for partner in used_partners:
            residents[partner] += 1

    partners = {
        key: _split_partner(scenario, partner, gross[key], residents[key], days[key])
        for key, partner in sorted(scenario.partners.items())
    }

    zero_usage = sum(m.zero_usage_cents for m in members)
    to_commons = zero_usage if scenario.zero_usage_rule == "commons" else 0
    pools = Pools(
        commons_cents=sum(m.commons_cents for m in members) + to_commons,
        solidarity_cents=sum(m.solidarity_cents for m in members) + zero_usage - to_commons,
        zero_usage_cents=zero_usage,
        providers_cents=sum(p.gross_cents for p in partners.values()),
        land_back_cents=sum(p.land_back_cents for p in partners.values()),
    )

    total_in = sum(m.paid_cents for m in scenario.members)
    held = sum(p.held_cents for p in partners.values())
    payout = sum(p.payout_cents for p in partners.values())
    carried_in = sum(p.carried_in_cents for p in partners.values())
    carried_out = sum(p.carried_cents for p in partners.values())
    total_out = (
        pools.commons_cents
        + pools.solidarity_cents
        + pools.land_back_cents
        + held
        + payout
        + carried_out
        - carried_in
    )
    balance = Balance(
        total_in_cents=total_in,
        commons_cents=pools.commons_cents,
        solidarity_cents=pools.solidarity_cents,
        land_back_cents=pools.land_back_cents,
        held_cents=held,
        payout_cents=payout,
        carried_in_cents=carried_in,
        carried_out_cents=carried_out,
        carried_delta_cents=carried_out - carried_in,
        total_out_cents=total_out,
        balanced=total_in == total_out,
    )
    assert balance.balanced, balance
    return PeriodSplit(
        algorithm=ALGORITHM_VERSION,
        input_hash=scenario.input_hash(),
        period=scenario.period,
        zero_usage_rule=scenario.zero_usage_rule,
        pools=pools,
        partners=partners,
        members=members,
        balance=balance,
    )
