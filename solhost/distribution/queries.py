"""Reading what a close needs: the period's scenario and the months due for closing.

A partner counts as qualified on the period's last day as ``qualification.queries.
qualified_on`` says. A partner never evaluated is not qualified: its money is held for
it, never forfeited, and released by the first close after it qualifies.
"""

import datetime
import hashlib
from collections import defaultdict

from django.db.models import Sum

from solhost.contributions.models import Payment, PaymentReference, SponsoredSeat
from solhost.core.models import parameter_value
from solhost.distribution.allocation import allocate
from solhost.distribution.models import PartnerStatement, PeriodClose
from solhost.distribution.split import ALGORITHM_VERSION
from solhost.identity.models import User
from solhost.ledger import accounts
from solhost.ledger.books import balance
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
