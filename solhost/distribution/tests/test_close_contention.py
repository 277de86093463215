"""Usage and payments sent while a close holds its locks wait for it, and none fails for it.

On PostgreSQL the close locks the usage, active-day and payment tables until it commits.
Each test runs a real close in one thread, holds it open until a writer in a second thread
is seen waiting on a lock, then commits; each thread has its own connection.
"""

import datetime
import threading
import uuid

import pytest
from django.db import connection, transaction
from django.utils import timezone

from solhost.contributions import actions as contributions
from solhost.contributions.models import Payment
from solhost.core.problems import InputProblems
from solhost.distribution.actions import close_period
from solhost.distribution.models import PeriodClose
from solhost.metering.actions import record_usage_batch
from solhost.metering.models import UsageEvent
from solhost.test import someone_waits_on_a_lock, sub_at

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="only PostgreSQL locks tables for a close"
    ),
]

ZONE = timezone.get_current_timezone()
AFTER_GRACE = datetime.date(2026, 11, 6)
CLOSED = "period 2026-10 is closed and split; date the payment in an open period"


def _during_a_close_of_october(send):
    """Run ``send()`` while a close of 2026-10 holds its locks; ``(send's outcome, waited)``."""
    locked = threading.Event()
    outcome: dict = {"waited": False}

    def close():
        try:
            with transaction.atomic():
                close_period(period="2026-10", actor=None, today=AFTER_GRACE)
                locked.set()
                outcome["waited"] = someone_waits_on_a_lock()
        finally:
            locked.set()
            connection.close()

    def writer():
        try:
            locked.wait(30)
            outcome["result"] = send()
        except Exception as error:
            outcome["error"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=close), threading.Thread(target=writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert PeriodClose.objects.filter(period="2026-10").exists()
    return outcome


def _usage(world, key, day):
    return {
        "id": key,
        "resident": sub_at(world.rita, world.mcc),
        "service": "mcc-files",
        "kind": "open",
        "occurred_at": datetime.datetime(2026, day[0], day[1], 9, tzinfo=ZONE).isoformat(),
    }


def test_a_batch_sent_during_the_close_waits_then_only_the_closed_months_events_are_refused():
    from solhost.test import make_world

    world = make_world()
    events = [_usage(world, "oct", (10, 30)), _usage(world, "nov", (11, 2))]
    now = datetime.datetime(2026, 11, 3, 12, tzinfo=ZONE)
    outcome = _during_a_close_of_october(
        lambda: record_usage_batch(partner=world.mcc, events=events, now=now)
    )
    assert outcome["waited"], "the batch never waited for the close"
    assert "error" not in outcome, outcome.get("error")
    result = outcome["result"]
    assert result.accepted == ["nov"]
    assert [(r.id, r.problems[0][1][:36]) for r in result.rejected] == [
        ("oct", "too late: period 2026-10 is closed: ")
    ]
    assert list(UsageEvent.objects.values_list("key", flat=True)) == ["nov"]


@pytest.mark.parametrize("month", [10, 11])
def test_a_payment_recorded_during_the_close_waits_then_is_judged_by_its_period(month):
    from solhost.test import make_world

    world = make_world()
    code = contributions.reference_for_resident(world.rita).code
    outcome = _during_a_close_of_october(
        lambda: contributions.record_payment(
            received_on=datetime.date(2026, month, 20),
            reference=code,
            amount_cents=1200,
            token=uuid.uuid4().hex,
            actor=None,
        )
    )
    assert outcome["waited"], "the payment never waited for the close"
    if month == 11:
        assert "error" not in outcome, outcome.get("error")
        assert Payment.objects.get().received_on == datetime.date(2026, 11, 20)
    else:
        assert isinstance(outcome.get("error"), InputProblems)
        assert outcome["error"].problems == [("received_on", CLOSED)]
        assert not Payment.objects.exists()


def test_a_csv_imported_during_the_close_is_refused_as_after_it_naming_the_closed_lines():
    """An import is all or nothing: as if the close had committed first, and never a 500."""
    from solhost.test import make_world

    world = make_world()
    code = contributions.reference_for_resident(world.rita).code
    text = f"date,reference,amount\n2026-11-02,{code},5\n2026-10-30,{code},12\n"
    outcome = _during_a_close_of_october(
        lambda: contributions.import_payments_csv(text=text, actor=None)
    )
    assert outcome["waited"], "the import never waited for the close"
    assert isinstance(outcome.get("error"), InputProblems)
    assert outcome["error"].problems == [("line 3, date", CLOSED)]
    assert not Payment.objects.exists()
    again = contributions.import_payments_csv(
        text=text.replace(f"2026-10-30,{code},12\n", ""), actor=None
    )
    assert again.stored == 1
