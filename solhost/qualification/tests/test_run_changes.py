"""What changed between two qualification runs. No database."""

from solhost.qualification.rules import Outcome
from solhost.qualification.run_changes import outcome_changes


def test_only_outcomes_whose_status_moved_are_listed_in_the_new_runs_order():
    previous = {("B1.1", "partner"): "met", ("V1", "service:files"): "met"}
    outcomes = [
        Outcome("B1.1", "partner", "met", ""),
        Outcome("V1", "service:files", "not_met", "Proprietary licence."),
        Outcome("S1", "server:home-1", "grace", "New server."),
    ]
    assert outcome_changes(previous, outcomes) == [
        {"criterion": "V1", "subject": "service:files", "from": "met", "to": "not_met"},
        {"criterion": "S1", "subject": "server:home-1", "from": None, "to": "grace"},
    ]


def test_a_first_run_lists_every_outcome_as_new():
    outcomes = [Outcome("B1.1", "partner", "met", ""), Outcome("B2", "partner", "not_met", "")]
    assert [change["from"] for change in outcome_changes({}, outcomes)] == [None, None]


def test_the_same_statuses_again_change_nothing():
    outcomes = [Outcome("B1.1", "partner", "met", "")]
    assert outcome_changes({("B1.1", "partner"): "met"}, outcomes) == []
