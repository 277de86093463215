"""Reading what a close needs: the period's scenario, its figures and the months to close.

A partner counts as qualified on the period's last day as ``qualification.queries.
qualified_on`` says. A partner never evaluated is not qualified: its money is held for
it, never forfeited, and released by the first close after it qualifies.

``close_figures`` computes everything a close stores; the close saves what it returns,
and the steward's preview shows it (``preview_close``) without keeping anything.
"""

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from solhost.contributions.models import Payment, PaymentReference, SponsoredSeat
from solhost.core.dates import day_in_words, month_in_words
from solhost.core.models import parameter_value
from solhost.core.money import format_bp
from solhost.distribution.allocation import allocate
from solhost.distribution.models import PartnerStatement, PeriodClose, ResidentShare
from solhost.distribution.split import ALGORITHM_VERSION, PeriodSplit, parse_scenario, split_period
from solhost.identity.models import User
from solhost.ledger import accounts
from solhost.ledger.books import balance
from solhost.ledger.models import Posting
from solhost.metering.models import ActiveDay
from solhost.metering.periods import last_day_for_usage, parse_period
from solhost.metering.queries import weights_for
from solhost.partners.models import Organisation, Service
from solhost.qualification.models import Declarations
from solhost.qualification.queries import qualified_on


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
    # A payment given back before the close is not the region's to split.
    in_period = Payment.objects.filter(
        received_on__gte=first, received_on__lte=last, reversal__isnull=True
    )
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
        held_before = -balance(accounts.held_code(organisation), at=last)
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


@dataclass(frozen=True)
class CloseFigures:
    """Everything a close of one period stores, computed and not yet saved.

    ``close``, ``statements`` and ``shares`` are unsaved rows; the close links them and
    saves them as they are, so what a preview shows is what the close keeps.
    """

    close: PeriodClose
    statements: list[PartnerStatement]
    shares: list[ResidentShare]
    result: PeriodSplit
    partners: dict[str, Organisation]
    released: dict[str, int]


def close_figures(period: str) -> CloseFigures:
    """Split ``period`` as a close would now: its close, partner statements and resident shares."""
    scenario, member_to_resident, partners, released = build_scenario(period)
    result = split_period(parse_scenario(scenario))
    balance_ = result.balance
    close = PeriodClose(
        period=period,
        algorithm=result.algorithm,
        input_hash=result.input_hash,
        scenario=scenario,
        total_in_cents=balance_.total_in_cents,
        commons_cents=result.pools.commons_cents,
        solidarity_cents=result.pools.solidarity_cents,
        zero_usage_cents=result.pools.zero_usage_cents,
        land_back_cents=result.pools.land_back_cents,
        held_cents=balance_.held_cents,
        payout_cents=balance_.payout_cents,
        carried_cents=balance_.carried_out_cents,
        released_cents=sum(released.values()),
    )
    days_by_member = {m["id"]: m["active_days"] for m in scenario["members"]}
    shares = [
        ResidentShare(
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
    ]
    return CloseFigures(
        close=close,
        statements=_statements(scenario, result, partners, released),
        shares=shares,
        result=result,
        partners=partners,
        released=released,
    )


def _statements(
    scenario: dict, result: PeriodSplit, partners: dict[str, Organisation], released: dict[str, int]
) -> list[PartnerStatement]:
    per_service: dict[str, dict[str, int]] = defaultdict(
        lambda: {"residents": 0, "active_days": 0, "gross_cents": 0}
    )
    for member in scenario["members"]:
        for service, days in member["active_days"].items():
            per_service[service]["residents"] += 1
            per_service[service]["active_days"] += days
    for member in result.members:
        for service, cents in member.services.items():
            per_service[service]["gross_cents"] += cents
    owner = scenario["services"]
    statements = []
    for slug, figures in result.partners.items():
        declared = scenario["partners"][slug]
        statements.append(
            PartnerStatement(
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
    return statements


def preview_close(period: str) -> CloseFigures:
    """What closing ``period`` would store now, computed by the close's own code.

    The computation runs in a transaction that is always rolled back, so the preview keeps
    nothing, not even a ledger account the close would open on the way.
    """
    with transaction.atomic():
        figures = close_figures(period)
        transaction.set_rollback(True)
    return figures


def why_not_closable(period: str, today: datetime.date) -> str:
    """Why ``period`` cannot be closed on ``today``, or "" when its grace for late usage is over."""
    try:
        parse_period(period)
    except ValueError as error:
        return str(error)
    grace = int(parameter_value("usage_grace_days", at=today))
    open_until = last_day_for_usage(period, grace)
    if today <= open_until:
        first_day_to_close = open_until + datetime.timedelta(days=1)
        return (
            f"{month_in_words(period)} still takes late usage until {day_in_words(open_until)} "
            f"({grace} days of grace); close it from {day_in_words(first_day_to_close)}"
        )
    later = (
        PeriodClose.objects.filter(period__gt=period)
        .order_by("period")
        .values_list("period", flat=True)
        .first()
    )
    if later is not None:
        # What a partner is not paid in one month is carried into the next close; a month
        # closed after its successor would carry into a month already settled.
        return f"a later month, {month_in_words(later)}, is already closed: months close in order"
    return ""


@dataclass(frozen=True)
class MonthInflows:
    """Every cent that reached the steward's bank in a month, by who sent it.

    ``by_purpose`` has every payment purpose, zero where none came; only residents' and
    sponsors' money is split at the close, gifts go straight to the solidarity fund.
    """

    by_purpose: dict[str, int]

    @property
    def total_cents(self) -> int:
        return sum(self.by_purpose.values())

    @property
    def split_cents(self) -> int:
        return self.total_cents - self.gifts_cents

    @property
    def gifts_cents(self) -> int:
        return self.by_purpose[PaymentReference.Purpose.SOLIDARITY]

    def rows(self) -> list[tuple[str, int]]:
        """``(label, cents)`` for each purpose, in the order the purposes are defined."""
        return [
            (label, self.by_purpose[purpose]) for purpose, label in PaymentReference.Purpose.choices
        ]


def month_inflows(period: str) -> MonthInflows:
    """What the ledger says came into the bank in ``period``, for each payment purpose.

    Read from the bank account's postings of recorded payments and their reversals, so the
    public totals are the books' own figures, whatever the account the money was credited to.
    """
    first, last = parse_period(period)
    paid = Q(transaction__payment__received_on__gte=first) & Q(
        transaction__payment__received_on__lte=last
    )
    # A refund or bank reversal counts against the month the payment was made in, as the
    # close leaves the payment out of that month's split.
    given_back = Q(transaction__reverses__payment__received_on__gte=first) & Q(
        transaction__reverses__payment__received_on__lte=last
    )
    rows = (
        Posting.objects.filter(paid | given_back, account__code=accounts.BANK)
        .annotate(
            purpose=Coalesce(
                "transaction__payment__reference__purpose",
                "transaction__reverses__payment__reference__purpose",
            )
        )
        .values("purpose")
        .annotate(total=Sum("amount_cents"))
        .values_list("purpose", "total")
    )
    found = dict(rows)
    # Every purpose, so a kind of payment added later shows on the page from its first day.
    return MonthInflows(
        by_purpose={purpose: found.get(purpose, 0) for purpose in PaymentReference.Purpose.values}
    )


@dataclass(frozen=True)
class LandBack:
    """A closed month's land back: withheld by the close, remitted from the bank, still owed."""

    program: str
    withheld_cents: int
    remitted_cents: int
    owed_at_end_cents: int
    # Why nothing was withheld, in words; empty when something was.
    why_none: str


def land_back_for(close: PeriodClose, statements: list[PartnerStatement]) -> LandBack:
    """What the ledger's land-back account did in ``close``'s month, and why it is zero if it is."""
    first, last = parse_period(close.period)
    remitted = Posting.objects.filter(
        account__code=accounts.LAND_BACK,
        amount_cents__gt=0,
        transaction__date__gte=first,
        transaction__date__lte=last,
    ).aggregate(total=Sum("amount_cents"))["total"]
    return LandBack(
        program=str(parameter_value("land_back_program", at=last)),
        withheld_cents=close.land_back_cents,
        remitted_cents=remitted or 0,
        owed_at_end_cents=-balance(accounts.LAND_BACK, at=last),
        why_none="" if close.land_back_cents else _why_no_land_back(close, statements),
    )


def _why_no_land_back(close: PeriodClose, statements: list[PartnerStatement]) -> str:
    earning = [s for s in statements if s.gross_cents]
    if not earning:
        return "No partner earned anything this month, so there was nothing to withhold."
    rate = int(close.scenario["land_back_bp"])
    if rate == 0:
        return (
            "Nothing was withheld for land back: the network's land-back rate was 0 % this month."
        )
    first_nations = sum(1 for s in earning if not s.settler_run)
    own = sum(1 for s in earning if s.settler_run and not s.withhold_land_back)
    reasons = []
    if own:
        reasons.append(
            f"{_partners(own)} run by settlers {'pays its' if own == 1 else 'pay their'} land-back "
            f"share (at least {format_bp(rate)} of gross, charter criterion B7) to land-back "
            "programs directly, and did not ask the platform to withhold it"
        )
    if first_nations:
        reasons.append(
            f"{_partners(first_nations)} {'is' if first_nations == 1 else 'are'} run by First "
            "Nations people, who owe no land back"
        )
    return "Nothing was withheld for land back: " + "; ".join(reasons) + "."


def _partners(count: int) -> str:
    return "the one partner" if count == 1 else f"the {count} partners"


def _months_with_money() -> list[str]:
    """Every month with usage or payments, oldest first."""
    months = set(ActiveDay.objects.dates("day", "month")) | set(
        Payment.objects.dates("received_on", "month")
    )
    return [f"{month.year:04d}-{month.month:02d}" for month in sorted(months)]


def periods_due(today: datetime.date) -> list[str]:
    """Months whose grace has passed and that are not closed yet, oldest first.

    Only months with usage or payments count: an empty region has nothing to close.
    """
    grace = int(parameter_value("usage_grace_days", at=today))
    closed = set(PeriodClose.objects.values_list("period", flat=True))
    return [
        period
        for period in _months_with_money()
        if period not in closed and today > last_day_for_usage(period, grace)
    ]


@dataclass(frozen=True)
class MonthToClose:
    period: str
    close: PeriodClose | None
    # Why it cannot be closed yet; empty when it can, or is closed.
    waiting: str


def months_to_close(today: datetime.date) -> list[MonthToClose]:
    """Every closed month and every month with usage or payments, newest first."""
    closes = {close.period: close for close in PeriodClose.objects.select_related("closed_by")}
    periods = sorted(set(closes) | set(_months_with_money()), reverse=True)
    return [
        MonthToClose(
            period=period,
            close=closes.get(period),
            waiting="" if period in closes else why_not_closable(period, today),
        )
        for period in periods
    ]
