"""The write path for decisions: draft, open, vote, close, enact, and the emails about them.

Each function is one use case in one transaction, re-reads and locks the proposal it
changes, and records an AuditEvent. Input a person can get wrong raises
``ValidationError`` with a message naming what is wrong (and nothing is saved); acting
for an organisation one may not act for raises ``PermissionDenied``.
"""

import datetime
import logging
from collections.abc import Sequence
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.core.dates import day_in_words
from solhost.core.models import Parameter, ParameterValue, parameter_value
from solhost.core.parameter_types import BASIS_POINTS, CENTS, INTEGER, ParameterValueError
from solhost.governance import tally
from solhost.governance.models import NoticeSent, Proposal, ProposedChange, Vote
from solhost.governance.queries import count, recipients_for
from solhost.governance.wording import value_in_words
from solhost.identity.models import User
from solhost.partners.models import Organisation
from solhost.partners.permissions import may_act_for

Status = Proposal.Status
DecisionType = Proposal.DecisionType

MIN_OPEN_DAYS_PARAMETER = {
    DecisionType.CONSENT: "consent_min_open_days",
    DecisionType.MAJORITY: "majority_min_open_days",
    DecisionType.MEDIAN: "median_min_open_days",
}
CHOICES = {
    DecisionType.CONSENT: tally.CONSENT_CHOICES,
    DecisionType.MAJORITY: tally.MAJORITY_CHOICES,
    DecisionType.MEDIAN: (Vote.Choice.PROPOSE, Vote.Choice.ABSTAIN),
}
NUMBER_KINDS = (INTEGER, BASIS_POINTS, CENTS)
REMINDER_BEFORE = datetime.timedelta(hours=48)

logger = logging.getLogger(__name__)


def _require(user: User, organisation: Organisation) -> None:
    if not may_act_for(user, organisation):
        raise PermissionDenied(
            f"You cannot act for {organisation.name}: only its admins (or, for the steward, "
            "its stewards) can."
        )


def _locked(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


def _require_draft(proposal: Proposal) -> None:
    if proposal.status != Status.DRAFT:
        raise ValidationError(
            f"Decision {proposal.pk} is {proposal.get_status_display().lower()}: "
            "only a draft can be changed."
        )


def _check_decision_type_fits(decision_type: str, changes: Sequence[ProposedChange]) -> None:
    if decision_type != DecisionType.MEDIAN:
        return
    if len(changes) != 1:
        raise ValidationError(
            "A median-of-proposals decision sets exactly one number: give one change, "
            f"not {len(changes)}."
        )
    parameter = changes[0].parameter
    if parameter.kind not in NUMBER_KINDS:
        raise ValidationError(
            f"A median-of-proposals decision needs a number; {parameter.key} is "
            f"{parameter.get_kind_display()}."
        )


def _in_words(parameter: Parameter, value: object) -> str:
    return value_in_words(parameter.kind, parameter.unit, value)


def _validated(parameter: Parameter, value: object, *, where: str) -> object:
    """``value`` if it fits ``parameter``; else a refusal giving the bounds in its unit."""
    try:
        return parameter.validate(value, say=partial(_in_words, parameter))
    except ParameterValueError as error:
        raise ValidationError(f"{where}: {error}.") from error


def create_proposal(
    *,
    organisation: Organisation,
    author: User,
    title: str,
    reasoning: str,
    decision_type: str,
    resolution: str = "",
    effective_from: datetime.date | None = None,
) -> Proposal:
    """A new draft raised by ``organisation``; ``author`` must be able to act for it."""
    _require(author, organisation)
    proposal = Proposal(
        raised_by=organisation,
        author=author,
        title=title,
        reasoning=reasoning,
        resolution=resolution,
        decision_type=decision_type,
        effective_from=effective_from,
    )
    with transaction.atomic():
        audit.save_audited(proposal, {}, actor=author, action=AuditAction.PROPOSAL_CREATE)
    return proposal


def update_proposal(
    *,
    proposal: Proposal,
    actor: User,
    title: str,
    reasoning: str,
    decision_type: str,
    resolution: str = "",
    effective_from: datetime.date | None = None,
) -> Proposal:
    """Change a draft's text, decision type or effective date."""
    with transaction.atomic(durable=True):
        proposal = _locked(proposal)
        _require(actor, proposal.raised_by)
        _require_draft(proposal)
        audit.save_audited(
            proposal,
            {
                "title": title,
                "reasoning": reasoning,
                "resolution": resolution,
                "decision_type": decision_type,
                "effective_from": effective_from,
            },
            actor=actor,
            action=AuditAction.PROPOSAL_UPDATE,
        )
    return proposal


def add_change(
    *, proposal: Proposal, actor: User, parameter: Parameter, new_value: object
) -> ProposedChange:
    """Add ``parameter → new_value`` to a draft; the value must fit the parameter."""
    with transaction.atomic(durable=True):
        proposal = _locked(proposal)
        _require(actor, proposal.raised_by)
        _require_draft(proposal)
        value = _validated(parameter, new_value, where=f"The change to {parameter.title}")
        if proposal.changes.filter(parameter=parameter).exists():
            raise ValidationError(
                f"This proposal already changes {parameter.key}; remove it first."
            )
        change = ProposedChange.objects.create(
            proposal=proposal, parameter=parameter, new_value=value
        )
        audit.record(
            actor=actor,
            action=AuditAction.CHANGE_CREATE,
            obj=proposal,
            after={"parameter": parameter.key, "new_value": value},
        )
    return change


def remove_change(*, change: ProposedChange, actor: User) -> None:
    with transaction.atomic(durable=True):
        proposal = _locked(change.proposal)
        _require(actor, proposal.raised_by)
        _require_draft(proposal)
        audit.record(
            actor=actor,
            action=AuditAction.CHANGE_DELETE,
            obj=proposal,
            before={"parameter": change.parameter.key, "new_value": change.new_value},
        )
        change.delete()


def open_proposal(
    *,
    proposal: Proposal,
    actor: User,
    closes_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> Proposal:
    """Open a draft for votes until ``closes_at`` (default: the shortest open period).

    Refused, with every problem named, if the draft has neither a resolution nor changes,
    a change's value no longer fits its parameter, the effective date is missing or not
    after the closing day, or the open period is shorter than its decision type allows.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        proposal = _locked(proposal)
        _require(actor, proposal.raised_by)
        _require_draft(proposal)
        changes = list(proposal.changes.select_related("parameter"))
        min_days = int(parameter_value(MIN_OPEN_DAYS_PARAMETER[proposal.decision_type], at=today))
        earliest_close = now + datetime.timedelta(days=min_days)
        closes_at = closes_at or earliest_close
        problems = _opening_problems(proposal, changes, closes_at, earliest_close, min_days)
        if problems:
            raise ValidationError(problems)
        opening = {
            "status": Status.OPEN,
            "opened_at": now,
            "closes_at": closes_at,
            "electorate": Organisation.objects.all(),
        }
        if proposal.decision_type == DecisionType.MAJORITY:
            opening["threshold_bp"] = int(parameter_value("majority_threshold_bp", at=today))
            opening["quorum_bp"] = int(parameter_value("majority_quorum_bp", at=today))
        audit.save_audited(proposal, opening, actor=actor, action=AuditAction.PROPOSAL_OPEN)
    _try_notice(proposal, NoticeSent.Kind.OPENED)
    return proposal


def _opening_problems(
    proposal: Proposal,
    changes: list[ProposedChange],
    closes_at: datetime.datetime,
    earliest_close: datetime.datetime,
    min_days: int,
) -> list[str]:
    problems: list[str] = []
    if not changes and not proposal.resolution.strip():
        problems.append("Give a resolution in words, or at least one parameter change.")
    for number, change in enumerate(changes, start=1):
        where = f"Change {number} ({change.parameter.title} → {_in_words(change.parameter, change.new_value)})"
        try:
            _validated(change.parameter, change.new_value, where=where)
        except ValidationError as error:
            problems.extend(error.messages)
    try:
        _check_decision_type_fits(proposal.decision_type, changes)
    except ValidationError as error:
        problems.extend(error.messages)
    if closes_at < earliest_close:
        problems.append(
            f"A {proposal.get_decision_type_display().lower()} decision stays open at least "
            f"{min_days} days: close it on or after {timezone.localtime(earliest_close):%-d %B %Y, %H:%M %Z}."
        )
    closing_day = timezone.localdate(closes_at)
    if changes and proposal.effective_from is None:
        problems.append("Give the day the changes take effect.")
    elif changes and proposal.effective_from <= closing_day:
        problems.append(
            f"The changes must take effect after the decision closes ({day_in_words(closing_day)}), "
            "so that no past report or payout changes."
        )
    return problems


def cast_vote(
    *,
    proposal: Proposal,
    organisation: Organisation,
    actor: User,
    choice: str,
    value: int | None = None,
    comment: str = "",
    now: datetime.datetime | None = None,
) -> Vote:
    """Cast or change ``organisation``'s vote; refused once the proposal has closed."""
    now = now or timezone.now()
    _require(actor, organisation)
    with transaction.atomic():
        proposal = _locked(proposal)
        if not proposal.is_open_for_votes(now):
            raise ValidationError(
                f"Decision {proposal.pk} is not open for votes: voting has closed."
            )
        if not proposal.electorate.filter(pk=organisation.pk).exists():
            raise ValidationError(
                f"{organisation.name} was not a member when decision {proposal.pk} opened."
            )
        allowed = CHOICES[proposal.decision_type]
        if choice not in allowed:
            raise ValidationError(
                f"{choice!r} is not a choice in a {proposal.get_decision_type_display().lower()} "
                f"decision; choose one of {', '.join(allowed)}."
            )
        if choice == Vote.Choice.PROPOSE:
            parameter = proposal.changes.get().parameter
            value = _validated(
                parameter, value, where=f"The value you propose for {parameter.title}"
            )  # type: ignore[assignment]
        else:
            value = None
        existing = Vote.objects.filter(proposal=proposal, organisation=organisation).first()
        vote = existing or Vote(proposal=proposal, organisation=organisation)
        audit.save_audited(
            vote,
            {
                "cast_by": actor,
                "choice": choice,
                "value": value,
                "comment": comment.strip(),
                "cast_at": now,
            },
            actor=actor,
            action=AuditAction.VOTE_CHANGE if existing else AuditAction.VOTE_CAST,
        )
    return vote


def close_proposal(*, proposal: Proposal, actor: User | None = None) -> Proposal:
    """Close an open proposal and count it: rejected, or closed and passed, awaiting enactment.

    The proposal closes at its deadline, whenever this runs; a rejection is announced.
    """
    with transaction.atomic(durable=True):
        proposal = _locked(proposal)
        if proposal.status != Status.OPEN:
            raise ValidationError(f"Decision {proposal.pk} is {proposal.status}, not open.")
        before = audit.snapshot(proposal)
        outcome = count(proposal)
        proposal.status = Status.CLOSED if outcome.passed else Status.REJECTED
        proposal.closed_at = proposal.closes_at
        proposal.passed, proposal.explanation = outcome.passed, outcome.explanation
        proposal.adopted_value = outcome.value
        proposal.save()
        audit.record_saved(
            proposal,
            actor=actor,
            action=AuditAction.PROPOSAL_CLOSE,
            before=before,
            note=outcome.explanation,
        )
    if not outcome.passed:
        _try_notice(proposal, NoticeSent.Kind.RESULT)
    return proposal


def enact_proposal(*, proposal: Proposal, actor: User | None = None) -> Proposal:
    """Write a passed proposal's dated parameter values, and mark it enacted, in one go."""
    with transaction.atomic(durable=True):
        proposal = _locked(proposal)
        if proposal.status != Status.CLOSED or not proposal.passed:
            raise ValidationError(
                f"Decision {proposal.pk} is {proposal.status}, not passed and closed."
            )
        changes = list(proposal.changes.select_related("parameter"))
        written = []
        for change in changes:
            value = (
                proposal.adopted_value
                if proposal.decision_type == DecisionType.MEDIAN
                else change.new_value
            )
            clash = ParameterValue.objects.filter(
                parameter=change.parameter, effective_from=proposal.effective_from
            ).first()
            if clash is not None:
                raise ValidationError(
                    f"{change.parameter.key} already has a value from {proposal.effective_from} "
                    f"({clash.source}); decision {proposal.pk} cannot be enacted until that is resolved."
                )
            try:
                with transaction.atomic():
                    ParameterValue.objects.create(
                        parameter=change.parameter,
                        value=value,
                        effective_from=proposal.effective_from,
                        source=proposal.source_label,
                    )
            except (IntegrityError, ValidationError) as error:
                raise ValidationError(f"{change.parameter.key}: {error}") from error
            written.append({"parameter": change.parameter.key, "value": value})
        before = audit.snapshot(proposal)
        proposal.status = Status.ENACTED
        proposal.save()
        audit.record(
            actor=actor,
            action=AuditAction.PROPOSAL_ENACT,
            obj=proposal,
            before=before,
            after={**audit.snapshot(proposal), "parameter_values": written},
            note=f"effective from {proposal.effective_from}" if written else "resolution adopted",
        )
    return proposal


def close_due_decisions(*, now: datetime.datetime | None = None) -> list[tuple[Proposal, str]]:
    """Close every open proposal past its deadline, then enact every passed one.

    Returns each proposal rejected or enacted, or passed but stopped by a problem with
    that problem ("" if none): such a proposal stays closed and is tried again on the next run. Safe to
    re-run: a proposal already closed is not counted again, nor enacted twice.
    """
    now = now or timezone.now()
    due = Proposal.objects.filter(status=Status.OPEN, closes_at__lte=now).order_by(
        "closes_at", "pk"
    )
    closed = [close_proposal(proposal=proposal) for proposal in due]
    handled = [(proposal, "") for proposal in closed if proposal.status == Status.REJECTED]
    # Earlier decisions first: of two that set the same day, the first to close is enacted.
    waiting = Proposal.objects.filter(status=Status.CLOSED, passed=True).order_by("closed_at", "pk")
    for proposal in waiting:
        try:
            proposal = enact_proposal(proposal=proposal)
        except ValidationError as error:
            handled.append((proposal, " ".join(error.messages)))
            continue
        _try_notice(proposal, NoticeSent.Kind.RESULT)
        handled.append((proposal, ""))
    return handled


def send_due_notices(*, now: datetime.datetime | None = None) -> list[tuple[Proposal, str]]:
    """Send every email round that is due and not yet sent; returns (proposal, kind) pairs.

    Due are: "opened" for an open proposal, "closing_soon" for one closing within 48
    hours, "result" for one enacted or rejected. The actions send them as they happen;
    this sweep sends any that a mail failure held back, and the reminders.
    """
    now = now or timezone.now()
    open_ = Proposal.objects.filter(status=Status.OPEN)
    due = [
        *((p, NoticeSent.Kind.OPENED) for p in open_),
        *(
            (p, NoticeSent.Kind.CLOSING_SOON)
            for p in open_.filter(closes_at__gt=now, closes_at__lte=now + REMINDER_BEFORE)
        ),
        *(
            (p, NoticeSent.Kind.RESULT)
            for p in Proposal.objects.filter(status__in=[Status.ENACTED, Status.REJECTED])
        ),
    ]
    return [(p, kind) for p, kind in due if send_notice(proposal=p, kind=kind)]


def _try_notice(proposal: Proposal, kind: str) -> None:
    """Send now if the mail server answers; otherwise the next ``send_due_notices`` does."""
    try:
        send_notice(proposal=proposal, kind=kind)
    except OSError:
        logger.warning(
            "notice %s for decision %s not sent; will retry", kind, proposal.pk, exc_info=True
        )


def send_notice(*, proposal: Proposal, kind: str) -> bool:
    """Email the members about ``proposal`` once per kind; False if it was already sent.

    The record and the sending share a transaction: if the mail server refuses, nothing
    is recorded and the next run tries again.
    """
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.notices.filter(kind=kind).exists():
            return False
        recipients = recipients_for(proposal)
        NoticeSent.objects.create(proposal=proposal, kind=kind, recipients=len(recipients))
        context = {"proposal": proposal, "kind": kind, "site_url": settings.BASE_URL}
        subject = render_to_string("governance/email/subject.txt", context).strip()
        body = render_to_string("governance/email/notice.txt", context)
        send_mass_mail(
            [(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in recipients],
            fail_silently=False,
        )
    return True
