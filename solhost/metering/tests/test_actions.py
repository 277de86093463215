import datetime
import threading
import time

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from solhost.metering.actions import MAX_BATCH, record_sign_in, record_usage_batch
from solhost.metering.events import MAX_KEY_LENGTH, MAX_KIND_LENGTH
from solhost.metering.models import ActiveDay, FrozenPeriod, UsageEvent
from solhost.metering.queries import weights_for
from solhost.test import sub_at


def event(world, key="e1", *, resident=None, service="mcc-files", when=None, **extra):
    # Named as the co-op whose service it is knows the resident.
    reporter = world.cct if service.startswith("cct-") else world.mcc
    return {
        "id": key,
        "resident": sub_at(resident or world.rita, reporter),
        "service": service,
        "kind": "file_upload",
        "quantity": 1,
        "occurred_at": (when or timezone.now() - datetime.timedelta(hours=1)).isoformat(),
        **extra,
    }


def test_a_new_event_is_accepted_and_stored_with_its_local_day(world):
    when = timezone.now() - datetime.timedelta(hours=1)
    result = record_usage_batch(partner=world.mcc, events=[event(world, when=when)])
    assert result.accepted == ["e1"] and not result.duplicates and not result.rejected
    stored = UsageEvent.objects.get()
    assert stored.resident == world.rita and stored.service == world.mcc_service
    assert stored.partner == world.mcc and stored.day == timezone.localdate(when)
    assert stored.occurred_at == when.replace(microsecond=when.microsecond)


def test_an_event_sent_twice_in_one_batch_or_later_counts_once(world):
    first = record_usage_batch(partner=world.mcc, events=[event(world), event(world)])
    assert first.accepted == ["e1"] and first.duplicates == ["e1"]
    again = record_usage_batch(partner=world.mcc, events=[event(world), event(world, "e2")])
    assert again.accepted == ["e2"] and again.duplicates == ["e1"]
    assert UsageEvent.objects.count() == 2


def test_keys_belong_to_each_partner(world):
    record_usage_batch(partner=world.mcc, events=[event(world)])
    result = record_usage_batch(partner=world.cct, events=[event(world, service="cct-chat")])
    assert result.accepted == ["e1"]


def test_bad_events_are_refused_one_by_one_with_where_and_why(world):
    import uuid

    events = [
        event(world, "ok"),
        event(world, "nobody", resident=None) | {"resident": str(uuid.uuid4())},
        event(world, "nosuch", service="no-such-service"),
        event(world, "theirs", service="cct-chat") | {"resident": sub_at(world.rita, world.mcc)},
        event(world, "", quantity=-1) | {"occurred_at": "yesterday", "colour": "red"},
        event(world, "naive") | {"occurred_at": "2026-10-03T09:00:00"},
        event(world, "future", when=timezone.now() + datetime.timedelta(days=1)),
        event(world, "flag", quantity=True),
        "not an object",
        event(world, "badsub") | {"resident": "rita"},
    ]
    result = record_usage_batch(partner=world.mcc, events=events)
    assert result.accepted == ["ok"]
    problems = {r.index: dict(r.problems) for r in result.rejected}
    assert problems[1] == {"events[1].resident": "no resident has this OIDC subject"}
    assert problems[2] == {"events[2].service": "no service is called 'no-such-service'"}
    assert problems[3] == {"events[3].service": "is another partner's service"}
    assert set(problems[4]) == {
        "events[4].id",
        "events[4].quantity",
        "events[4].occurred_at",
        "events[4].colour",
    }
    assert "offset" in problems[5]["events[5].occurred_at"]
    assert problems[6] == {"events[6].occurred_at": "is in the future"}
    assert "events[7].quantity" in problems[7]
    assert "events[8]" in problems[8]
    assert "events[9].resident" in problems[9]
    assert UsageEvent.objects.count() == 1


def test_a_batch_larger_than_the_limit_is_refused_whole(world):
    events = [event(world, f"e{i}") for i in range(MAX_BATCH + 1)]
    with pytest.raises(ValueError, match="at most 1000"):
        record_usage_batch(partner=world.mcc, events=events)
    assert not UsageEvent.objects.exists()


def test_late_events_count_during_the_grace_and_are_refused_after(world):
    zone = timezone.get_current_timezone()
    october = datetime.datetime(2026, 10, 31, 22, tzinfo=zone)
    in_grace = datetime.datetime(2026, 11, 5, 23, 59, tzinfo=zone)
    after = datetime.datetime(2026, 11, 6, 0, 1, tzinfo=zone)
    batch = [event(world, when=october)]
    assert record_usage_batch(partner=world.mcc, events=batch, now=in_grace).accepted
    late = [event(world, "late", when=october)]
    result = record_usage_batch(partner=world.mcc, events=late, now=after)
    (rejection,) = result.rejected
    assert (
        "too late: period 2026-10 stopped taking usage after 2026-11-05" in rejection.problems[0][1]
    )


def test_a_frozen_period_refuses_usage_even_within_the_grace(world):
    FrozenPeriod.objects.create(period=timezone.localdate().strftime("%Y-%m"))
    result = record_usage_batch(partner=world.mcc, events=[event(world)])
    assert (
        "period" in result.rejected[0].problems[0][1]
        and "closed" in result.rejected[0].problems[0][1]
    )
    assert not record_sign_in(user=world.rita, service=world.mcc_service, day=timezone.localdate())
    assert not UsageEvent.objects.exists()


def test_a_sign_in_for_a_month_whose_grace_is_over_is_not_counted(world):
    long_ago = timezone.localdate() - datetime.timedelta(days=120)
    assert not record_sign_in(user=world.rita, service=world.mcc_service, day=long_ago)
    assert not UsageEvent.objects.exists() and not ActiveDay.objects.exists()


def test_a_sign_in_today_asks_once_whether_the_month_is_closed_and_reads_no_parameter(world):
    # It runs inside every token request: the grace parameter can't matter for a month
    # still running, and the closed check belongs inside the insert's transaction.
    with CaptureQueriesContext(connection) as queries:
        assert record_sign_in(user=world.rita, service=world.mcc_service, day=timezone.localdate())
    statements = [query["sql"] for query in queries.captured_queries]
    assert sum("metering_frozenperiod" in sql for sql in statements) == 1, statements
    assert not any("core_parameter" in sql for sql in statements), statements


def test_a_sign_in_counts_once_per_resident_service_and_day(world):
    today = timezone.localdate()
    assert record_sign_in(user=world.rita, service=world.mcc_service, day=today)
    assert not record_sign_in(user=world.rita, service=world.mcc_service, day=today)
    assert record_sign_in(user=world.rita, service=world.cct_service, day=today)
    assert record_sign_in(user=world.bob, service=world.mcc_service, day=today)
    signin = UsageEvent.objects.get(resident=world.rita, service=world.mcc_service)
    assert signin.kind == "sign_in" and signin.key == f"signin:{world.rita.sub}:mcc-files:{today}"
    assert signin.partner == world.mcc
    assert set(ActiveDay.objects.values_list("resident", "service", "day")) == {
        (world.rita.pk, world.mcc_service.pk, today),
        (world.rita.pk, world.cct_service.pk, today),
        (world.bob.pk, world.mcc_service.pk, today),
    }


def test_many_events_on_one_day_mark_it_active_once_and_a_replay_marks_nothing(world):
    zone = timezone.get_current_timezone()
    now = datetime.datetime(2026, 10, 20, 12, tzinfo=zone)
    morning, evening = (datetime.datetime(2026, 10, 5, h, tzinfo=zone) for h in (8, 21))
    batch = [event(world, f"e{i}", when=morning if i % 2 else evening) for i in range(40)]
    batch.append(event(world, "next-day", when=datetime.datetime(2026, 10, 6, 0, 5, tzinfo=zone)))
    record_usage_batch(partner=world.mcc, events=batch, now=now)
    record_usage_batch(partner=world.mcc, events=batch, now=now)
    days = ActiveDay.objects.filter(resident=world.rita, service=world.mcc_service)
    assert sorted(days.values_list("day", flat=True)) == [
        datetime.date(2026, 10, 5),
        datetime.date(2026, 10, 6),
    ]


def test_a_refused_event_marks_no_day_active(world):
    record_usage_batch(partner=world.mcc, events=[event(world, service="cct-chat")])
    assert not ActiveDay.objects.exists()


def test_a_resident_or_service_with_usage_cannot_be_deleted(world):
    from django.db.models import ProtectedError

    record_usage_batch(partner=world.mcc, events=[event(world)])
    with pytest.raises(ProtectedError):
        world.rita.delete()
    with pytest.raises(ProtectedError):
        world.mcc_service.delete()
    assert UsageEvent.objects.count() == ActiveDay.objects.count() == 1


def test_usage_events_are_append_only(world):
    record_usage_batch(partner=world.mcc, events=[event(world)])
    stored = UsageEvent.objects.get()
    with pytest.raises(ValueError, match="append-only"):
        stored.save()


def test_weights_are_distinct_active_days_per_resident_and_service(world):
    zone = timezone.get_current_timezone()
    days = [
        datetime.datetime(2026, 10, d, h, tzinfo=zone)
        for d, h in [(1, 9), (1, 17), (2, 9), (19, 9)]
    ]
    events = [event(world, f"e{i}", when=w) for i, w in enumerate(days)]
    events.append(event(world, "bob", resident=world.bob, when=days[0]))
    # 23:30 in Melbourne on 30 September is still September there, whatever UTC says.
    events.append(event(world, "sept", when=datetime.datetime(2026, 9, 30, 23, 30, tzinfo=zone)))
    record_usage_batch(
        partner=world.mcc, events=events, now=datetime.datetime(2026, 10, 20, 12, tzinfo=zone)
    )
    weights = weights_for("2026-10")
    assert weights == {
        (world.rita.pk, world.mcc_service.pk): 3,
        (world.bob.pk, world.mcc_service.pk): 1,
    }


@pytest.mark.django_db(transaction=True)
def test_two_threads_sending_the_same_batch_never_double_count():
    from solhost.test import make_world

    world = make_world()
    events = [event(world, f"e{i}") for i in range(300)]
    results = []
    barrier = threading.Barrier(2)

    def send():
        try:
            barrier.wait()
            # SQLite's shared in-memory test database refuses a second writer at once instead
            # of waiting; a partner's client resends a batch that failed, so the test does too.
            for _attempt in range(50):
                try:
                    results.append(record_usage_batch(partner=world.mcc, events=events))
                    return
                except OperationalError:
                    time.sleep(0.01)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2
    assert UsageEvent.objects.count() == 300
    assert ActiveDay.objects.count() == 1
    assert sorted(results[0].accepted + results[1].accepted) == sorted(e["id"] for e in events)
    assert sum(len(r.accepted) for r in results) == 300
    assert sum(len(r.duplicates) for r in results) == 300


@pytest.mark.django_db(transaction=True)
def test_two_threads_marking_the_same_days_in_opposite_orders_neither_deadlock_nor_double():
    from solhost.test import make_world

    world = make_world()
    zone = timezone.get_current_timezone()
    now = datetime.datetime(2026, 10, 30, 12, tzinfo=zone)
    days = [datetime.datetime(2026, 10, d, 9, tzinfo=zone) for d in range(1, 29)]
    people = [world.rita, world.bob, world.alice]
    forward = [
        event(world, f"a{d}-{p}", resident=person, when=when)
        for d, when in enumerate(days)
        for p, person in enumerate(people)
    ]
    backward = [dict(e, id="b" + e["id"][1:]) for e in reversed(forward)]
    results = []
    barrier = threading.Barrier(2)

    def send(batch):
        try:
            barrier.wait()
            for _attempt in range(50):
                try:
                    results.append(record_usage_batch(partner=world.mcc, events=batch, now=now))
                    return
                except OperationalError:
                    time.sleep(0.01)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(b,)) for b in (forward, backward)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [len(r.accepted) for r in results] == [84, 84]
    assert ActiveDay.objects.count() == 84
    assert weights_for("2026-10") == {(p.pk, world.mcc_service.pk): 28 for p in people}


def test_the_event_checks_allow_what_the_columns_hold():
    assert UsageEvent._meta.get_field("key").max_length == MAX_KEY_LENGTH
    assert UsageEvent._meta.get_field("kind").max_length == MAX_KIND_LENGTH


def test_a_close_that_commits_while_a_batch_is_stored_refuses_only_that_months_events(
    world, monkeypatch
):
    from solhost.core.audit import AuditAction
    from solhost.core.models import AuditEvent
    from solhost.metering import actions

    zone = timezone.get_current_timezone()
    now = datetime.datetime(2026, 11, 3, 12, tzinfo=zone)
    checked = actions.usage_open_for

    def close_commits_right_after_the_first_check(day, **kwargs):
        reason = checked(day, **kwargs)
        if not FrozenPeriod.objects.exists():
            FrozenPeriod.objects.create(period="2026-10")
        return reason

    monkeypatch.setattr(actions, "usage_open_for", close_commits_right_after_the_first_check)
    october = event(world, "oct", when=datetime.datetime(2026, 10, 30, 9, tzinfo=zone))
    november = event(world, "nov", when=datetime.datetime(2026, 11, 2, 9, tzinfo=zone))
    result = record_usage_batch(partner=world.mcc, events=[october, november], now=now)
    assert result.accepted == ["nov"] and not result.duplicates
    assert [(r.index, r.id) for r in result.rejected] == [(0, "oct")]
    assert result.rejected[0].problems == [
        (
            "events[0].occurred_at",
            "too late: period 2026-10 is closed: its usage is final and its money has been split",
        )
    ]
    assert list(UsageEvent.objects.values_list("key", flat=True)) == ["nov"]
    assert list(ActiveDay.objects.values_list("day", flat=True)) == [datetime.date(2026, 11, 2)]
    assert AuditEvent.objects.filter(action=AuditAction.USAGE_BATCH).count() == 1
