"""The write path of a wind-down: one atomic, audited function per use case.

Each re-reads and locks what it changes, checks who is acting (the views check too, but
the API, jobs and the shell call these directly), and refuses bad input with every
reason named and nothing changed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.core.models import parameter_value
from solhost.core.problems import InputProblems
from solhost.ledger import accounts
from solhost.ledger.actions import post_transaction
from solhost.ledger.books import balance
from solhost.ledger.models import Account
from solhost.partners.models import Organisation, Server, Service
from solhost.partners.permissions import is_steward, may_act_for
from solhost.partners.signals import announce_change
from solhost.qualification.queries import qualified_on
from solhost.winddown import emails
from solhost.winddown.models import Case, HandoverOffer, HandoverRequest, WindDown
from solhost.winddown.permissions import may_run_wind_down
from solhost.winddown.queries import BALANCE_RULE, residents_by_service, settlement_key
from solhost.winddown.rules import DATE_ORDER, PAY_OUT, check_dates, settlement

if TYPE_CHECKING:
    from solhost.identity.models import User

MINIMUM_NOTICE = "wind_down_minimum_notice_days"


def _require_runner(actor: User, organisation: Organisation) -> None:
    if not may_run_wind_down(actor, organisation):
        raise PermissionDenied(
            f"Only {organisation.name}'s admins or the steward can run its wind-down."
        )


def _require_steward(actor: User) -> None:
    if not is_steward(actor):
        raise PermissionDenied("Only the steward can do this.")


def _require_open(wind_down: WindDown) -> None:
    if wind_down.completed:
        raise ValidationError(f"The wind-down of {wind_down.organisation} is already complete.")


def _set_state(
    case: Case, state: str, *, actor, action: AuditAction, note: str = "", **fields
) -> None:
    before = audit.snapshot(case)
    case.state = state
    case.changed_at = timezone.now()
    for name, value in fields.items():
        setattr(case, name, value)
    case.save()
    audit.record_saved(case, actor=actor, action=action, before=before, note=note)


def _judge_again(wind_down: WindDown, *, action: AuditAction, actor) -> None:
    """Charter B3.1 reads the wind-down's cases: re-judge the partner once this commits."""
    announce_change(
        organisation=wind_down.organisation, change=f"{action} by {audit.actor_label(actor)}"
    )


@transaction.atomic(durable=True)
def start_wind_down(
    *,
    organisation: Organisation,
    actor: User,
    dates: dict[str, datetime.date],
    today: datetime.date | None = None,
) -> WindDown:
    """Announce that ``organisation`` closes on these dates and open one case for each
    resident of each of its services.

    Refused if the dates are out of order, give residents less than the network's minimum
    notice, or the partner already has a wind-down.
    """
    today = today or timezone.localdate()
    _require_runner(actor, organisation)
    if organisation.kind != Organisation.Kind.PARTNER:
        raise ValidationError(f"{organisation.name} is not a hosting partner.")
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    if WindDown.objects.filter(organisation=organisation).exists():
        raise ValidationError(f"{organisation.name} has already announced its wind-down.")
    minimum = int(parameter_value(MINIMUM_NOTICE, at=today))
    check_dates(dates, today=today, minimum_notice_days=minimum)
    now = timezone.now()
    wind_down = WindDown.objects.create(
        organisation=organisation,
        started_by=actor,
        started_at=now,
        **{field: dates[field] for field, _ in DATE_ORDER},
    )
    audit.record_saved(wind_down, actor=actor, action=AuditAction.WIND_DOWN_START)
    Case.objects.bulk_create(
        Case(wind_down=wind_down, resident_id=resident, service_id=service, changed_at=now)
        for resident, service in sorted(residents_by_service(organisation))
    )
    emails.announce(wind_down)
    _judge_again(wind_down, action=AuditAction.WIND_DOWN_START, actor=actor)
    return wind_down


@transaction.atomic(durable=True)
def mark_exported(
    *,
    wind_down: WindDown,
    case_ids: Iterable[int],
    actor: User | None,
    partner: Organisation | None = None,
) -> int:
    """The closing partner has returned these residents' data; returns how many cases.

    ``actor`` is the person acting, or None when ``partner`` called through the API with
    its token. All or nothing: a case of another wind-down, or one already moved or
    declined, refuses the whole batch with its number named."""
    if actor is not None:
        _require_runner(actor, wind_down.organisation)
    elif partner is None or partner.pk != wind_down.organisation_id:
        raise PermissionDenied(f"Only {wind_down.organisation.name} marks its own exports.")
    wind_down = WindDown.objects.select_for_update().get(pk=wind_down.pk)
    _require_open(wind_down)
    wanted = sorted(set(case_ids))
    if not wanted:
        raise InputProblems([("cases", "Choose at least one case.")])
    cases = {
        case.pk: case
        for case in Case.objects.select_for_update().filter(pk__in=wanted, wind_down=wind_down)
    }
    problems = []
    for pk in wanted:
        case = cases.get(pk)
        if case is None:
            problems.append(("cases", f"Case {pk} is not one of this wind-down's cases."))
        elif case.state not in (Case.State.NOTIFIED, Case.State.NO_RESPONSE):
            problems.append(("cases", f"Case {pk} is already {case.get_state_display().lower()}."))
    if problems:
        raise InputProblems(problems)
    note = "" if actor is not None else f"through the API by {wind_down.organisation.slug}"
    for pk in wanted:
        _set_state(
            cases[pk],
            Case.State.EXPORTED,
            actor=actor,
            action=AuditAction.WIND_DOWN_CASE_EXPORTED,
            note=note,
        )
        emails.exported(cases[pk])
    _judge_again(
        wind_down,
        action=AuditAction.WIND_DOWN_CASE_EXPORTED,
        actor=actor if actor is not None else wind_down.organisation.slug,
    )
    return len(wanted)


@transaction.atomic(durable=True)
def request_move(
    *, case: Case, resident: User, service: Service, today: datetime.date | None = None
) -> Case:
    """The resident asks to move to ``service``; its partner's admins are asked to accept.

    Refused unless the case is the resident's and still open, and the service is of the
    same kind, takes new residents, and is at another partner qualified today and not
    itself closing."""
    today = today or timezone.localdate()
    case = Case.objects.select_for_update().select_related("service").get(pk=case.pk)
    if case.resident_id != resident.pk:
        raise PermissionDenied("This is not your case.")
    if case.state not in Case.OPEN:
        raise ValidationError(f"This case is already {case.get_state_display().lower()}.")
    problems = []
    if service.kind_id != case.service.kind_id:
        problems.append(
            f"{service.name} is a {service.kind} service, not {case.service.kind} like "
            f"{case.service.name}."
        )
    if not service.accepts_new_residents:
        problems.append(f"{service.name} is not taking new residents.")
    if service.organisation_id == case.service.organisation_id:
        problems.append(f"{service.name} is run by the partner that is closing.")
    elif WindDown.objects.filter(organisation_id=service.organisation_id).exists():
        problems.append(f"{service.organisation} is closing too.")
    elif not qualified_on(service.organisation, today):
        problems.append(f"{service.organisation} does not meet the region's charter today.")
    if problems:
        raise InputProblems([("service", problem) for problem in problems])
    _set_state(
        case,
        Case.State.MOVE_REQUESTED,
        actor=resident,
        action=AuditAction.WIND_DOWN_CASE_MOVE_REQUEST,
        move_to=service,
    )
    emails.move_requested(case)
    return case


@transaction.atomic(durable=True)
def accept_move(*, case: Case, actor: User) -> Case:
    """The receiving partner's admin takes the resident in."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("move_to__organisation")
        .get(pk=case.pk)
    )
    if case.move_to is None or not may_act_for(actor, case.move_to.organisation):
        raise PermissionDenied("Only the receiving partner's admins can accept this move.")
    if case.state != Case.State.MOVE_REQUESTED:
        raise ValidationError(
            f"This move is not waiting: it is {case.get_state_display().lower()}."
        )
    _set_state(case, Case.State.MOVED, actor=actor, action=AuditAction.WIND_DOWN_CASE_MOVE_ACCEPT)
    emails.moved(case)
    _judge_again(case.wind_down, action=AuditAction.WIND_DOWN_CASE_MOVE_ACCEPT, actor=actor)
    return case


@transaction.atomic(durable=True)
def decline(*, case: Case, resident: User) -> Case:
    """The resident wants neither their data back nor a move."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.resident_id != resident.pk:
        raise PermissionDenied("This is not your case.")
    if case.state not in Case.OPEN:
        raise ValidationError(f"This case is already {case.get_state_display().lower()}.")
    _set_state(case, Case.State.DECLINED, actor=resident, action=AuditAction.WIND_DOWN_CASE_DECLINE)
    _judge_again(case.wind_down, action=AuditAction.WIND_DOWN_CASE_DECLINE, actor=resident)
    return case


def _mark_no_response(cases) -> int:
    count = 0
    for case in cases.select_for_update().filter(state__in=Case.OPEN):
        _set_state(
            case, Case.State.NO_RESPONSE, actor=None, action=AuditAction.WIND_DOWN_CASE_NO_RESPONSE
        )
        count += 1
    return count


@transaction.atomic(durable=True)
def open_late_cases() -> int:
    """Open a case for each resident who began using or connected to a closing partner's
    service after its announcement (before its no-new-sign-ups day, or through the
    partner's usage reports), and tell them as the announcement told the others.

    Safe to re-run: returns how many cases it opened."""
    opened = 0
    for wind_down in WindDown.objects.select_for_update().filter(completed_at__isnull=True):
        known = set(wind_down.cases.values_list("resident_id", "service_id"))
        late = sorted(residents_by_service(wind_down.organisation) - known)
        if not late:
            continue
        now = timezone.now()
        cases = Case.objects.bulk_create(
            Case(wind_down=wind_down, resident_id=resident, service_id=service, changed_at=now)
            for resident, service in late
        )
        for case in cases:
            audit.record_saved(case, actor=None, action=AuditAction.WIND_DOWN_CASE_OPEN)
        emails.announce(wind_down, cases=cases)
        _judge_again(wind_down, action=AuditAction.WIND_DOWN_CASE_OPEN, actor=None)
        opened += len(cases)
    return opened


@transaction.atomic(durable=True)
def mark_no_response(*, today: datetime.date) -> int:
    """Cases still open after their wind-down's data-return deadline had no response.
    Safe to re-run: returns how many cases it marked."""
    return _mark_no_response(
        Case.objects.filter(
            wind_down__data_return_deadline__lt=today, wind_down__completed_at__isnull=True
        )
    )


@transaction.atomic(durable=True)
def complete_wind_down(
    *, wind_down: WindDown, actor: User, confirmed: bool, today: datetime.date | None = None
) -> WindDown:
    """The steward confirms the partner has wound down: every case is closed, and its
    held and carried money is settled as the network's rule says (``_settle_money``).

    Refused unless the steward ``confirmed`` that the partner returned or moved its
    residents' data, and while a case is still open before the data-return deadline;
    after it, open cases are closed as having had no response."""
    today = today or timezone.localdate()
    _require_steward(actor)
    if not confirmed:
        raise InputProblems([("confirm", "Tick the box to confirm the wind-down is complete.")])
    wind_down = WindDown.objects.select_for_update().get(pk=wind_down.pk)
    _require_open(wind_down)
    open_cases = wind_down.cases.filter(state__in=Case.OPEN)
    if today <= wind_down.data_return_deadline and open_cases.exists():
        still_open = open_cases.count()
        raise ValidationError(
            f"{still_open} case{pluralize(still_open)} {pluralize(still_open, 'is,are')} still "
            "open and the data-return "
            f"deadline ({wind_down.data_return_deadline}) has not passed."
        )
    _mark_no_response(open_cases)
    now = timezone.now()
    wind_down.cases.filter(closed_at__isnull=True).update(closed_at=now)
    before = audit.snapshot(wind_down)
    wind_down.completed_at = now
    wind_down.completed_by = actor
    wind_down.save(update_fields=["completed_at", "completed_by"])
    audit.record_saved(wind_down, actor=actor, action=AuditAction.WIND_DOWN_COMPLETE, before=before)
    _settle_money(wind_down, actor=actor, day=today)
    _judge_again(wind_down, action=AuditAction.WIND_DOWN_COMPLETE, actor=actor)
    return wind_down


def _settle_money(wind_down: WindDown, *, actor: User, day: datetime.date) -> None:
    """Settle the partner's held and carried money as the network's rule on ``day`` says,
    in one balanced ledger transaction (none if there is nothing to move)."""
    partner = wind_down.organisation
    held_account, payable = accounts.held_account(partner), accounts.payable_account(partner)
    # A payout being recorded at the same moment must not spend what is being moved.
    list(Account.objects.select_for_update().filter(pk__in=[held_account.pk, payable.pk]))
    held, owed = -balance(held_account.code, at=day), -balance(payable.code, at=day)
    rule = str(parameter_value(BALANCE_RULE, at=day))
    lines = settlement(held_cents=held, owed_cents=owed, rule=rule)
    entry = None
    if lines:
        by_name = {"held": held_account, "payable": payable}
        if "solidarity" in lines:
            by_name["solidarity"] = accounts.fixed_account(accounts.SOLIDARITY)
        words = (
            "held money released to be paid out"
            if rule == PAY_OUT
            else "held and carried money to the solidarity fund"
        )
        entry = post_transaction(
            description=f"Wind-down of {partner.slug}: {words}",
            postings=[(by_name[name], cents, rule) for name, cents in lines.items()],
            actor=actor,
            date=day,
            key=settlement_key(wind_down),
        )
    audit.record(
        actor=actor,
        action=AuditAction.WIND_DOWN_SETTLE,
        obj=wind_down,
        after={
            "rule": rule,
            "held_cents": held,
            "owed_cents": owed,
            "transaction": entry.pk if entry is not None else None,
        },
    )


@transaction.atomic(durable=True)
def offer_for_handover(
    *, wind_down: WindDown, actor: User, server: Server | None = None, equipment: str = ""
) -> HandoverOffer:
    """The closing partner offers one of its servers, or equipment described in words."""
    _require_runner(actor, wind_down.organisation)
    _require_open(wind_down)
    equipment = " ".join(equipment.split())
    if (server is None) == (not equipment):
        raise InputProblems([("server", "Choose one of your servers or describe the equipment.")])
    if server is not None:
        if server.organisation_id != wind_down.organisation_id:
            raise InputProblems([("server", f"{server} is not one of your servers.")])
        if HandoverOffer.objects.filter(server=server).exists():
            raise InputProblems([("server", f"{server} is already offered.")])
    offer = HandoverOffer(wind_down=wind_down, server=server, equipment=equipment)
    audit.save_audited(offer, {}, actor=actor, action=AuditAction.WIND_DOWN_HANDOVER_OFFER)
    return offer


@transaction.atomic(durable=True)
def ask_for_handover(
    *, offer: HandoverOffer, organisation: Organisation, actor: User, note: str = ""
) -> HandoverRequest:
    """Another partner or group asks for an offered server or piece of equipment."""
    if not may_act_for(actor, organisation):
        raise PermissionDenied(f"Only {organisation.name}'s admins can ask for it.")
    offer = HandoverOffer.objects.select_for_update().select_related("wind_down").get(pk=offer.pk)
    if organisation.pk == offer.wind_down.organisation_id:
        raise ValidationError("A partner cannot ask for what it offers itself.")
    if offer.handed_to_id is not None:
        raise ValidationError(f"{offer} has already been handed over.")
    if HandoverRequest.objects.filter(offer=offer, organisation=organisation).exists():
        raise ValidationError(f"{organisation.name} has already asked for {offer}.")
    request = HandoverRequest(
        offer=offer,
        organisation=organisation,
        asked_by=actor,
        note=note.strip(),
        asked_at=timezone.now(),
    )
    audit.save_audited(request, {}, actor=actor, action=AuditAction.WIND_DOWN_HANDOVER_REQUEST)
    return request


@transaction.atomic(durable=True)
def record_handover(*, request: HandoverRequest, actor: User) -> HandoverOffer:
    """The steward records that the offer went to the group that asked for it."""
    _require_steward(actor)
    offer = HandoverOffer.objects.select_for_update().get(pk=request.offer_id)
    if offer.handed_to_id is not None:
        raise ValidationError(f"{offer} has already been handed over.")
    audit.save_audited(
        offer,
        {"handed_to": request.organisation, "handed_over_at": timezone.now()},
        actor=actor,
        action=AuditAction.WIND_DOWN_HANDOVER_RECORD,
    )
    return offer
