"""B3.1 reads how a wind-down went, on literal facts, and the dossier document carries
them so an offline assessment gives the same answer. No database."""

import datetime
from dataclasses import replace

from solhost.qualification.dossier import WindDownProgress, parse_dossier
from solhost.qualification.dossier_document import dossier_document
from solhost.qualification.rules import REGISTRY, Snapshot
from solhost.qualification.tests.builders import DOSSIER, PARAMS, REGION

SHUTDOWN = datetime.date(2027, 3, 31)
PLAN_WORDS = (
    "the end-of-life plan says how every user's data is returned in a useful format, and "
    "the steward approved it; its service names how residents export their data"
)


def judged(criterion: str, progress: WindDownProgress | None, at: datetime.date):
    snapshot = Snapshot(replace(DOSSIER, wind_down=progress), REGION)
    [outcome] = REGISTRY[criterion].check(snapshot, PARAMS, at)
    return outcome


def progress(*, completed_on=None, left=0) -> WindDownProgress:
    return WindDownProgress(
        page="/closing/mcc/",
        shutdown_on=SHUTDOWN,
        completed_on=completed_on,
        returned=5,
        moved=2,
        declined=1,
        left=left,
    )


def test_without_a_wind_down_b3_1_reads_only_the_plan_and_the_services():
    assert judged("B3.1", None, SHUTDOWN).reason == PLAN_WORDS


def test_a_wind_down_under_way_is_told_with_its_counts_and_judged_by_the_plan():
    outcome = judged("B3.1", progress(left=3), SHUTDOWN)
    assert outcome.status == "met"
    assert outcome.reason == (
        f"{PLAN_WORDS}; a wind-down is under way until the shutdown on 2027-03-31: of its "
        "11 cases, 5 returned, 2 moved, 1 declined and 3 not yet; see /closing/mcc/"
    )


def test_cases_left_at_the_shutdown_fail_b3_1_and_b3_naming_how_many():
    # Past the shutdown the cases are what they are, whether or not the steward completed it.
    for ended in (
        progress(left=3, completed_on=SHUTDOWN),
        progress(left=3),
    ):
        outcome = judged("B3.1", ended, SHUTDOWN + datetime.timedelta(days=1))
        assert outcome.status == "not_met"
        assert outcome.reason == (
            f"{PLAN_WORDS}; its wind-down left 3 of its 11 cases neither returned, moved nor "
            "declined by the shutdown on 2027-03-31; see /closing/mcc/"
        )
    assert judged("B3", progress(left=3), SHUTDOWN + datetime.timedelta(days=1)).status == (
        "not_met"
    )


def test_a_wind_down_completed_before_its_shutdown_is_judged_on_completion():
    completed = progress(left=1, completed_on=SHUTDOWN - datetime.timedelta(days=10))
    assert judged("B3.1", completed, SHUTDOWN - datetime.timedelta(days=5)).status == "not_met"


def test_a_wind_down_that_returned_or_moved_every_case_keeps_b3_1_met():
    outcome = judged("B3.1", progress(completed_on=SHUTDOWN), SHUTDOWN)
    assert outcome.status == "met"
    assert outcome.reason == (
        f"{PLAN_WORDS}; its wind-down returned or moved every case by the shutdown on "
        "2027-03-31 (5 returned, 2 moved, 1 declined)"
    )
    assert judged("B3", progress(completed_on=SHUTDOWN), SHUTDOWN).status == "met"


def test_the_dossier_document_carries_the_wind_down_and_reads_it_back():
    under_way = replace(DOSSIER, wind_down=progress(left=3))
    document = dossier_document(under_way)
    assert document["wind_down"] == {
        "page": "/closing/mcc/",
        "shutdown_on": "2027-03-31",
        "completed_on": None,
        "returned": 5,
        "moved": 2,
        "declined": 1,
        "left": 3,
    }
    assert parse_dossier(document).wind_down == under_way.wind_down
    completed = replace(DOSSIER, wind_down=progress(completed_on=SHUTDOWN))
    assert parse_dossier(dossier_document(completed)).wind_down == completed.wind_down
    assert "wind_down" not in dossier_document(DOSSIER)
