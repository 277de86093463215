"""Recurring pledges: chosen, paused, changed or stopped, and one gentle reminder."""

import datetime
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from solhost.contributions.actions import record_payment, reference_for_resident
from solhost.contributions.models import Pledge, PledgeReminder
from solhost.contributions.pledges import (
    send_reminders,
    set_pledge,
    set_pledge_reminders,
    set_pledge_status,
)
from solhost.core.models import AuditEvent
from solhost.core.problems import InputProblems

START = datetime.date(2026, 10, 1)
# Ten days' grace (the seeded parameter) after the first payment was due.
AFTER_GRACE = datetime.date(2026, 10, 12)

THREATS = re.compile(
    r"\b(must|overdue|debt|owe|owing|failure|failed|suspend\w*|cancel\w*|penalt\w*|"
    r"final|warning|immediately|urgent|legal|collection|lose|lost|cut off)\b",
    re.IGNORECASE,
)


@pytest.fixture
def pledged(world):
    return set_pledge(
        resident=world.rita,
        amount_cents=1200,
        frequency="monthly",
        starts_on=START,
        actor=world.rita,
    )


def test_a_pledge_is_chosen_changed_and_audited(world, pledged):
    assert (pledged.amount_cents, pledged.frequency, pledged.status) == (1200, "monthly", "active")
    changed = set_pledge(
        resident=world.rita, amount_cents=0, frequency="weekly", starts_on=START, actor=world.rita
    )
    assert changed.pk == pledged.pk and changed.amount_cents == 0
    events = AuditEvent.objects.filter(action="contributions.pledge.set").order_by("id")
    assert [e.after["amount_cents"] for e in events] == [1200, 0]
    assert events[1].before["amount_cents"] == 1200


def test_a_bad_pledge_says_what_and_changes_nothing(world, pledged):
    with pytest.raises(InputProblems) as error:
        set_pledge(
            resident=world.rita,
            amount_cents=-5,
            frequency="daily",
            starts_on=START,
            actor=world.rita,
        )
    assert [where for where, _ in error.value.problems] == ["amount", "frequency"]
    assert Pledge.objects.get().amount_cents == 1200


def test_a_missed_payment_gets_one_gentle_reminder(world, pledged):
    assert send_reminders(today=AFTER_GRACE - datetime.timedelta(days=1)) == 0
    assert send_reminders(today=AFTER_GRACE) == 1
    assert send_reminders(today=AFTER_GRACE) == 0
    assert send_reminders(today=AFTER_GRACE + datetime.timedelta(days=5)) == 0
    (message,) = mail.outbox
    assert message.to == [world.rita.email]
    assert "$12.00" in message.body and "1 October 2026" in message.body
    assert reference_for_resident(world.rita).code in message.body
    assert "/contribute/pledge/" in message.body
    assert AuditEvent.objects.filter(action="contributions.pledge.reminder").count() == 1
    # The next month's payment, missed too, gets its own note.
    assert send_reminders(today=datetime.date(2026, 11, 12)) == 1


def test_the_reminder_wording_holds_no_threat(world, pledged):
    send_reminders(today=AFTER_GRACE)
    (message,) = mail.outbox
    assert not THREATS.findall(message.subject + " " + message.body)


def test_a_payment_within_the_period_means_no_reminder(world, pledged):
    record_payment(
        received_on=datetime.date(2026, 10, 20),
        reference=reference_for_resident(world.rita).code,
        amount_cents=500,
        token="pledge-october",
        actor=world.sam,
    )
    assert send_reminders(today=datetime.date(2026, 10, 25)) == 0


def test_no_reminder_after_opting_out_or_pausing_stopping_or_for_nothing(world, pledged):
    set_pledge_reminders(pledge=pledged, reminders=False, actor=world.rita)
    assert send_reminders(today=AFTER_GRACE) == 0
    set_pledge_reminders(pledge=pledged, reminders=True, actor=world.rita)
    for status in ("paused", "stopped"):
        set_pledge_status(pledge=pledged, status=status, actor=world.rita)
        assert send_reminders(today=AFTER_GRACE) == 0
    set_pledge(
        resident=world.rita, amount_cents=0, frequency="monthly", starts_on=START, actor=world.rita
    )
    assert send_reminders(today=AFTER_GRACE) == 0
    assert not mail.outbox and not PledgeReminder.objects.exists()
    assert AuditEvent.objects.filter(action="contributions.pledge.status").count() == 2
    assert AuditEvent.objects.filter(action="contributions.pledge.reminders").count() == 2


def test_resuming_starts_the_schedule_again_today(world, pledged):
    set_pledge_status(pledge=pledged, status="paused", actor=world.rita)
    resumed = set_pledge_status(pledge=pledged, status="active", actor=world.rita)
    assert resumed.starts_on == timezone.localdate()


def test_the_command_sends_what_is_due_and_is_safe_to_rerun(world, capsys):
    set_pledge(
        resident=world.rita,
        amount_cents=500,
        frequency="monthly",
        starts_on=timezone.localdate() - datetime.timedelta(days=15),
        actor=world.rita,
    )
    call_command("pledge_reminders")
    call_command("pledge_reminders")
    assert capsys.readouterr().out == "1 reminder sent\n0 reminders sent\n"
    assert len(mail.outbox) == 1
