import datetime
import uuid

from solhost.metering.events import MAX_KEY_LENGTH, MAX_KIND_LENGTH, CheckedEvent, check_event

SUB = "0b6c3f4e-2f7d-4f0e-9a51-6a0f4c1d2e3f"
MELBOURNE = datetime.timezone(datetime.timedelta(hours=11))
LATEST = datetime.datetime(2026, 10, 3, 12, 0, tzinfo=datetime.UTC)


def good(**changes: object) -> dict[str, object]:
    return {
        "id": "e1",
        "resident": SUB,
        "service": "mcc-files",
        "kind": "file_upload",
        "quantity": 3,
        "occurred_at": "2026-10-02T22:30:00+00:00",
        **changes,
    }


def check(event: object) -> object:
    return check_event(4, event, latest=LATEST, zone=MELBOURNE)


def test_a_good_event_counts_for_its_local_day():
    assert check(good()) == CheckedEvent(
        index=4,
        id="e1",
        resident=uuid.UUID(SUB),
        service="mcc-files",
        kind="file_upload",
        quantity=3,
        occurred_at=datetime.datetime(2026, 10, 2, 22, 30, tzinfo=datetime.UTC),
        day=datetime.date(2026, 10, 3),
    )


def test_quantity_defaults_to_one():
    event = good()
    del event["quantity"]
    checked = check(event)
    assert isinstance(checked, CheckedEvent) and checked.quantity == 1


def test_an_event_that_is_not_an_object_is_refused_whole():
    assert check(["e1"]) == [
        ("events[4]", "each event must be an object with id, resident, service, kind…")
    ]


def test_every_problem_is_named_with_its_field():
    event = good(
        id="",
        resident="rita",
        service="",
        kind="x" * (MAX_KIND_LENGTH + 1),
        quantity=True,
        occurred_at="yesterday",
        colour="red",
    )
    assert check(event) == [
        ("events[4].colour", "is not a field of a usage event"),
        ("events[4].id", f"must be non-empty text of at most {MAX_KEY_LENGTH} characters"),
        ("events[4].resident", "must be the resident's OIDC subject (a UUID)"),
        ("events[4].service", "must be the slug of one of your services"),
        ("events[4].kind", f"must be non-empty text of at most {MAX_KIND_LENGTH} characters"),
        ("events[4].quantity", "must be a whole number, zero or more"),
        (
            "events[4].occurred_at",
            "must be an ISO 8601 time with its offset, e.g. 2026-10-03T09:15:00+11:00",
        ),
    ]


def test_keys_and_kinds_at_their_longest_are_fine():
    checked = check(good(id="k" * MAX_KEY_LENGTH, kind="k" * MAX_KIND_LENGTH))
    assert isinstance(checked, CheckedEvent)
    too_long = check(good(id="k" * (MAX_KEY_LENGTH + 1)))
    assert too_long == [
        ("events[4].id", f"must be non-empty text of at most {MAX_KEY_LENGTH} characters")
    ]


def test_a_moment_needs_its_offset_and_may_not_be_after_the_latest():
    assert check(good(occurred_at="2026-10-03T09:00:00")) == [
        (
            "events[4].occurred_at",
            "must be an ISO 8601 time with its offset, e.g. 2026-10-03T09:15:00+11:00",
        )
    ]
    assert check(good(occurred_at="2026-10-03T12:00:01+00:00")) == [
        ("events[4].occurred_at", "is in the future")
    ]
    assert isinstance(check(good(occurred_at="2026-10-03T12:00:00+00:00")), CheckedEvent)


def test_quantities_are_whole_numbers_from_zero():
    assert isinstance(check(good(quantity=0)), CheckedEvent)
    for bad in (-1, 1.5, "2", 2**62):
        assert check(good(quantity=bad)) == [
            ("events[4].quantity", "must be a whole number, zero or more")
        ]
