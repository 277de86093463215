"""``solhost wind-down-deadlines`` opens cases for residents who came late and marks
unanswered cases, each once, however often it runs."""

from io import StringIO

from django.core.management import call_command

from solhost.winddown.tests.helpers import closing_story, start


def test_the_command_marks_unanswered_cases_once(world):
    wind_down = start(closing_story(world))
    out = StringIO()
    call_command("wind-down-deadlines", "--today", "2027-03-02", stdout=out)
    call_command("wind-down-deadlines", "--today", "2027-03-03", stdout=out)
    assert out.getvalue().splitlines() == [
        "0 case(s) opened for residents who came after the announcement",
        "2 case(s) had no response by their deadline",
        "0 case(s) opened for residents who came after the announcement",
        "0 case(s) had no response by their deadline",
    ]
    assert set(wind_down.cases.values_list("state", flat=True)) == {"no_response"}
