"""Closing a period: freeze its usage, split its money, post it all, in one transaction.

The close gathers a scenario from the database (``queries.build_scenario``: settled
payments, active days, each partner's standing on the period's last day and the
parameters in force then), hands it to the pure split, and posts the lines the split
makes (``ledger_lines``) to the ledger. Everything happens in one database
transaction: a failure anywhere leaves nothing behind, and a second close of the same
period finds the first and changes nothing.
"""

import datetime
from collections import defaultdict

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from solhost.contributions.models import Payment
from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.core.models import parameter_value
from solhost.distribution.ledger_lines import close_lines
from solhost.distribution.models import PartnerStatement, PeriodClose, ResidentShare
from solhost.distribution.queries import build_scenario
from solhost.distribution.split import parse_scenario, split_period
from solhost.ledger import accounts
from solhost.ledger.actions import post_transaction
from solhost.metering.models import ActiveDay, FrozenPeriod, UsageEvent
from solhost.metering.periods import last_day_for_usage, parse_period


class CannotClose(ValueError):
    """The period cannot be closed yet, or is not a period."""


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

    lines = close_lines(
        result,
        released,
        contributions=accounts.fixed_account(accounts.CONTRIBUTIONS),
        commons=accounts.fixed_account(accounts.COMMONS),
        solidarity=accounts.fixed_account(accounts.SOLIDARITY),
        land_back=accounts.fixed_account(accounts.LAND_BACK),
        held=lambda slug: accounts.held_account(partners[slug]),
        payable=lambda slug: accounts.payable_account(partners[slug]),
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
        action=AuditAction.CLOSE_PERIOD,
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
