"""Recurring pledges: a resident's amount and frequency, paused, changed or stopped any
time, and a gentle reminder, once, when a pledged payment has not arrived.

A payment counts for a due day when the resident's payments (typed, CSV or statement)
received from that day until the next due day come to anything at all: a reminder is
never about paying less than pledged.
"""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from solhost.contributions.actions import reference_for_resident
from solhost.contributions.models import Payment, Pledge, PledgeReminder
from solhost.contributions.schedule import latest_overdue
from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.core.models import parameter_value, values_in_force
from solhost.core.problems import InputProblems
from solhost.identity.models import User

RECEIVING_PARAMETERS = {
    "payid": "receiving_payid",
    "account_name": "receiving_account_name",
    "bsb": "receiving_bsb",
    "account": "receiving_account",
}


def receiving_account(on: datetime.date) -> dict[str, str]:
    """The region's PayID and bank account residents pay into, as far as they are set."""
    stored = values_in_force(RECEIVING_PARAMETERS.values(), at=on)
    return {field: str(stored[key]) for field, key in RECEIVING_PARAMETERS.items() if key in stored}


def set_pledge(
    *,
    resident: User,
    amount_cents: int,
    frequency: str,
    starts_on: datetime.date,
    actor,
) -> Pledge:
    """Choose or change the pledge; its schedule starts again at ``starts_on``, active."""
    problems = []
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents < 0:
        problems.append(("amount", "give an amount of $0 or more"))
    if frequency not in Pledge.Frequency.values:
        problems.append(("frequency", f"choose one of {', '.join(Pledge.Frequency.values)}"))
    if problems:
        raise InputProblems(problems)
    with transaction.atomic(durable=True):
        pledge = Pledge.objects.select_for_update().filter(resident=resident).first()
        before = audit.snapshot(pledge) if pledge else None
        pledge = pledge or Pledge(resident=resident)
        pledge.amount_cents, pledge.frequency, pledge.starts_on = amount_cents, frequency, starts_on
        pledge.status = Pledge.Status.ACTIVE
        pledge.save()
        audit.record(
            actor=actor,
            action=AuditAction.PLEDGE_SET,
            obj=pledge,
            before=before,
            after=audit.snapshot(pledge),
        )
    reference_for_resident(resident)
    return pledge


def set_pledge_status(*, pledge: Pledge, status: str, actor) -> Pledge:
    """Pause, stop or resume a pledge. Resuming starts its schedule again today."""
    if status not in Pledge.Status.values:
        raise InputProblems([("status", f"choose one of {', '.join(Pledge.Status.values)}")])
    with transaction.atomic(durable=True):
        pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
        before = audit.snapshot(pledge)
        if status == Pledge.Status.ACTIVE and pledge.status != Pledge.Status.ACTIVE:
            pledge.starts_on = timezone.localdate()
        pledge.status = status
        pledge.save()
        audit.record(
            actor=actor,
            action=AuditAction.PLEDGE_STATUS,
            obj=pledge,
            before=before,
            after=audit.snapshot(pledge),
            note=status,
        )
    return pledge


def set_pledge_reminders(*, pledge: Pledge, reminders: bool, actor) -> Pledge:
    """Whether the resident wants a reminder when a payment has not arrived."""
    with transaction.atomic(durable=True):
        pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
        before = audit.snapshot(pledge)
        pledge.reminders = reminders
        pledge.save()
        audit.record(
            actor=actor,
            action=AuditAction.PLEDGE_REMINDERS,
            obj=pledge,
            before=before,
            after=audit.snapshot(pledge),
        )
    return pledge


def overdue(pledge: Pledge, today: datetime.date) -> datetime.date | None:
    """The due day of the pledge's latest payment past its grace with nothing received."""
    if pledge.status != Pledge.Status.ACTIVE or pledge.amount_cents == 0:
        return None
    grace = int(parameter_value("pledge_reminder_grace_days", at=today))
    period = latest_overdue(pledge.starts_on, pledge.frequency, grace_days=grace, today=today)
    if period is None:
        return None
    due, next_due = period
    paid = Payment.objects.filter(
        reference__resident=pledge.resident_id,
        received_on__gte=due,
        received_on__lt=next_due,
    ).exists()
    return None if paid else due


def send_reminders(*, today: datetime.date | None = None) -> int:
    """Remind each resident with a pledged payment overdue, once per due payment, unless
    they said no to reminders. Safe to run again: returns how many were sent this time."""
    today = today or timezone.localdate()
    sent = 0
    pledges = Pledge.objects.filter(
        status=Pledge.Status.ACTIVE, reminders=True, amount_cents__gt=0
    ).select_related("resident")
    for pledge in pledges:
        due = overdue(pledge, today)
        if due is None or not pledge.resident.email:
            continue
        try:
            with transaction.atomic(durable=True):
                PledgeReminder.objects.create(pledge=pledge, due_on=due)
                audit.record(
                    actor=None,
                    action=AuditAction.PLEDGE_REMINDER,
                    obj=pledge,
                    note=f"payment due {due.isoformat()}",
                )
                subject, body = reminder_email(pledge, due)
                send_mail(
                    subject,
                    body,
                    settings.DEFAULT_FROM_EMAIL,
                    [pledge.resident.email],
                    fail_silently=False,
                )
        except IntegrityError:
            continue  # reminded about this payment already
        sent += 1
    return sent


def reminder_email(pledge: Pledge, due: datetime.date) -> tuple[str, str]:
    body = render_to_string(
        "contributions/pledge_reminder.txt",
        {
            "pledge": pledge,
            "due": due,
            "reference": reference_for_resident(pledge.resident).code,
            "bank": receiving_account(due),
            "page": settings.BASE_URL + reverse("contributions:pledge"),
        },
    )
    return "Your pledge to the region: a gentle note", body
