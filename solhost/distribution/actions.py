"""Closing a period: freeze its usage, split its money, post it all, in one transaction.

The close gathers a scenario from the database (settled payments, active days, each
partner's standing on the period's last day and the parameters in force then), hands it
to the pure split, and posts the result to the ledger. Everything happens in one database
transaction: a failure anywhere leaves nothing behind, and a second close of the same
period finds the first and changes nothing.

A partner counts as qualified on the last day when its latest qualification run judged
for a day on or before it says so. A partner never evaluated is not qualified: its money
is held for it, never forfeited, and released by the first close after it qualifies.
"""

import datetime
import hashlib
from collections import defaultdict

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from solhost.contributions.models import Payment, PaymentReference, SponsoredSeat
from solhost.core import audit
from solhost.core.models import parameter_value
from solhost.distribution.allocation import allocate
from solhost.distribution.models import PartnerStatement, PeriodClose, ResidentShare
from solhost.distribution.split import ALGORITHM_VERSION, parse_scenario, split_period
from solhost.identity.models import User
from solhost.ledger import accounts
from solhost.ledger.actions import post_transaction
from solhost.ledger.books import balance
from solhost.metering.models import ActiveDay, FrozenPeriod, UsageEvent
from solhost.metering.periods import last_day_for_usage, parse_period
from solhost.metering.usage import weights_for
from solhost.partners.models import Organisation, Service
from solhost.qualification.models import Declarations
from solhost.qualification.queries import qualified_on


class CannotClose(ValueError):
    """The period cannot be closed yet, or is not a period."""


def _member_id(period: str, sub) -> str:
    # Pseudonymous per period: a published scenario cannot follow a resident across months.
    return "r-" + hashlib.sha256(f"{period}:{sub}".encode()).hexdigest()[:20]


def _paid_by_resident(
    first: datetime.date, last: datetime.date, period: str
) -> tuple[dict[int, int], dict[str, int]]:
    """Settled payments in the period per resident id; sponsors' money shared over their seats.

    A sponsor with no seat left gets a member of its own with no usage, so its money
    follows the zero-usage rule instead of vanishing.
    """
    in_period = Payment.objects.filter(received_on__gte=first, received_on__lte=last)
    paid: dict[int, int] = defaultdict(int)
    for resident, cents in (
        in_period.filter(reference__purpose=PaymentReference.Purpose.RESIDENT)
        .values("reference__resident")
        .annotate(total=Sum("amount_cents"))
        .values_list("reference__resident", "total")
    ):
        paid[resident] += cents
    unseated: dict[str, int] = {}
    for organisation, cents in (
        in_period.filter(reference__purpose=PaymentReference.Purpose.SPONSOR)
        .values("reference__organisation")
        .annotate(total=Sum("amount_cents"))
        .values_list("reference__organisation", "total")
    ):
        seats = dict(
            SponsoredSeat.objects.filter(organisation_id=organisation).values_list(
                "resident_id", "monthly_cents"
            )
        )
        if not seats:
            unseated[f"s-{organisation}"] = cents
            continue
        shares = allocate(
            cents, {str(r): c for r, c in seats.items()}, f"{period}:sponsor:{organisation}"
        )
        for resident, share in shares.items():
            paid[int(resident)] += share
    return dict(paid), unseated


def build_scenario(
    period: str,
) -> tuple[dict, dict[str, int], dict[str, Organisation], dict[str, int]]:
    """The scenario document, member id → resident id, partner slug → partner, released cents."""
    first, last = parse_period(period)
    paid, unseated = _paid_by_resident(first, last, period)
    weights = weights_for(period)
    services = {s.pk: s for s in Service.objects.select_related("organisation")}
    partners = {s.organisation.slug: s.organisation for s in services.values()}
    usage: dict[int, dict[str, int]] = defaultdict(dict)
    for (resident, service), days in weights.items():
        usage[resident][services[service].slug] = days
    residents = set(paid) | set(usage)
    subs = dict(User.objects.filter(pk__in=residents).values_list("pk", "sub"))
    members, member_to_resident = [], {}
    for resident in sorted(residents):
        member = _member_id(period, subs[resident])
        member_to_resident[member] = resident
        members.append(
            {
                "id": member,
                "paid_cents": paid.get(resident, 0),
                "active_days": usage.get(resident, {}),
            }
        )
    members.extend(
        {"id": key, "paid_cents": cents, "active_days": {}} for key, cents in unseated.items()
    )

    declarations = {
        d.organisation_id: d
        for d in Declarations.objects.filter(organisation__in=partners.values())
    }
    partner_doc, released = {}, {}
    for slug, organisation in sorted(partners.items()):
        declared = declarations.get(organisation.pk)
        qualified = qualified_on(organisation, last)
        previous = (
            PartnerStatement.objects.filter(partner=organisation, close__period__lt=period)
            .order_by("-close__period")
            .first()
        )
        held_before = -balance(accounts.held_account(organisation), at=last)
        released[slug] = held_before if qualified else 0
        partner_doc[slug] = {
            "settler_run": declared is None or declared.run_by == Declarations.RunBy.SETTLERS,
            "withhold_land_back": bool(declared and declared.land_back_withheld_by_platform),
            "qualified": qualified,
            "carried_cents": (previous.carried_cents if previous else 0) + released[slug],
        }
    scenario = {
        "period": period,
        "algorithm": ALGORITHM_VERSION,
        "pools_bp": {
            "commons": parameter_value("pools_commons_bp", at=last),
            "solidarity": parameter_value("pools_solidarity_bp", at=last),
        },
        "land_back_bp": parameter_value("land_back_bp", at=last),
        "min_payout_cents": parameter_value("min_payout_cents", at=last),
        "zero_usage_rule": parameter_value("zero_usage_rule", at=last),
        "members": members,
        "services": {s.slug: s.organisation.slug for s in services.values()},
        "partners": partner_doc,
    }
    return scenario, member_to_resident, partners, released


def _check_closable(period: str, today: datetime.date) -> None:
    try:
        parse_period(period)
    except ValueError as error:
        raise CannotClose(str(error)) from None
    grace = int(parameter_value("usage_grace_days", at=today))
    open_until = last_day_for_usage(period, grace)
    if today <= open_until:
        raise CannotClose(
            f"period {period} still takes late usage until {open_until.isoformat()} "
            f"({grace} days of grace); close it from {(open_until + datetime.timedelta(days=1)).isoformat()}"
        )


def close_period(
    *, period: str, actor, today: datetime.date | None = None
) -> tuple[PeriodClose, bool]:
    """Close ``period``; return its close and whether this call made it (False: it existed)."""
    existing = PeriodClose.objects.filter(period=period).first()
    if existing is not None:
        return existing, False
    _check_closable(period, today or timezone.localdate())
    try:
        with transaction.atomic():
            return _close(period, actor), True
    except IntegrityError:
        # A concurrent close of the same period won; its result is the period's.
        existing = PeriodClose.objects.filter(period=period).first()
        if existing is None:
            raise
        return existing, False


def _close(period: str, actor) -> PeriodClose:
    _, last = parse_period(period)
    FrozenPeriod.objects.create(period=period)
    if connection.vendor == "postgresql":
        # Usage and payments being written now either land before the close reads them or
        # wait, see the period frozen, and are refused: nothing slips in between.
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {UsageEvent._meta.db_table}, {ActiveDay._meta.db_table}, "
                f"{Payment._meta.db_table} IN SHARE MODE"
            )
    scenario_doc, member_to_resident, partners, released = build_scenario(period)
    result = split_period(parse_scenario(scenario_doc))

    lines: list[tuple] = [
        (accounts.fixed_account(accounts.CONTRIBUTIONS), result.balance.total_in_cents)
    ]
    lines.append((accounts.fixed_account(accounts.COMMONS), -result.pools.commons_cents))
    lines.append((accounts.fixed_account(accounts.SOLIDARITY), -result.pools.solidarity_cents))
    lines.append((accounts.fixed_account(accounts.LAND_BACK), -result.pools.land_back_cents))
    for slug, figures in result.partners.items():
        partner = partners[slug]
        if released[slug]:
            lines.append((accounts.held_account(partner), released[slug], f"released to {slug}"))
            lines.append(
                (accounts.payable_account(partner), -released[slug], "released held money")
            )
        if figures.held_cents:
            lines.append(
                (accounts.held_account(partner), -figures.held_cents, "held: not qualified")
            )
        elif figures.net_cents:
            lines.append(
                (accounts.payable_account(partner), -figures.net_cents, "net of land back")
            )
    entry = None
    if any(line[1] for line in lines):
        entry = post_transaction(
            description=f"Close of {period}: contributions split ({result.algorithm})",
            postings=lines,
            actor=actor,
            date=last,
            key=f"close:{period}",
        )
    balance_ = result.balance
    close = PeriodClose.objects.create(
        period=period,
        closed_by=actor if getattr(actor, "pk", None) else None,
        algorithm=result.algorithm,
        input_hash=result.input_hash,
        scenario=scenario_doc,
        total_in_cents=balance_.total_in_cents,
        commons_cents=result.pools.commons_cents,
        solidarity_cents=result.pools.solidarity_cents,
        zero_usage_cents=result.pools.zero_usage_cents,
        land_back_cents=result.pools.land_back_cents,
        held_cents=balance_.held_cents,
        payout_cents=balance_.payout_cents,
        carried_cents=balance_.carried_out_cents,
        released_cents=sum(released.values()),
        ledger_entry=entry,
    )
    _statements(close, scenario_doc, result, partners, released)
    days_by_member = {m["id"]: m["active_days"] for m in scenario_doc["members"]}
    ResidentShare.objects.bulk_create(
        (
            ResidentShare(
                close=close,
                resident_id=member_to_resident[member.id],
                paid_cents=member.paid_cents,
                commons_cents=member.commons_cents,
                solidarity_cents=member.solidarity_cents,
                zero_usage_cents=member.zero_usage_cents,
                services=member.services,
                active_days=days_by_member[member.id],
            )
            for member in result.members
            # A resident who paid nothing has nothing to trace; their days still count above.
            if member.id in member_to_resident and member.paid_cents
        ),
        batch_size=2000,
    )
    audit.record(
        actor=actor,
        action="distribution.close_period",
        obj=close,
        after={
            "period": period,
            "input_hash": close.input_hash,
            "total_in_cents": close.total_in_cents,
        },
    )
    return close


def _statements(close: PeriodClose, scenario_doc: dict, result, partners, released) -> None:
    per_service: dict[str, dict[str, int]] = defaultdict(
        lambda: {"residents": 0, "active_days": 0, "gross_cents": 0}
    )
    for member in scenario_doc["members"]:
        for service, days in member["active_days"].items():
            per_service[service]["residents"] += 1
            per_service[service]["active_days"] += days
    for member in result.members:
        for service, cents in member.services.items():
            per_service[service]["gross_cents"] += cents
    owner = scenario_doc["services"]
    statements = []
    for slug, figures in result.partners.items():
        declared = scenario_doc["partners"][slug]
        statements.append(
            PartnerStatement(
                close=close,
                partner=partners[slug],
                qualified=figures.qualified,
                settler_run=declared["settler_run"],
                withhold_land_back=declared["withhold_land_back"],
                residents=figures.residents,
                active_days=figures.active_days,
                gross_cents=figures.gross_cents,
                land_back_cents=figures.land_back_cents,
                net_cents=figures.net_cents,
                held_cents=figures.held_cents,
                released_cents=released[slug],
                carried_in_cents=figures.carried_in_cents,
                payout_cents=figures.payout_cents,
                carried_cents=figures.carried_cents,
                services={
                    s: dict(v) for s, v in sorted(per_service.items()) if owner.get(s) == slug
                },
            )
        )
    PartnerStatement.objects.bulk_create(statements)


def periods_due(today: datetime.date) -> list[str]:
    """Months whose grace has passed and that are not closed yet, oldest first.

    Only months with usage or payments count: an empty region has nothing to close.
    """
    grace = int(parameter_value("usage_grace_days", at=today))
    months = set(ActiveDay.objects.dates("day", "month")) | set(
        Payment.objects.dates("received_on", "month")
    )
    closed = set(PeriodClose.objects.values_list("period", flat=True))
    due = []
    for month in sorted(months):
        period = f"{month.year:04d}-{month.month:02d}"
        if period not in closed and today > last_day_for_usage(period, grace):
            due.append(period)
    return due
