"""A closing partner's tools list its cases and mark exports done with its API token."""

import pytest

from solhost.core.models import AuditEvent
from solhost.partners.actions import issue_api_token
from solhost.winddown.models import Case
from solhost.winddown.tests.helpers import closing_story, start

CASES = "/api/v1/wind-down/cases"
EXPORTS = "/api/v1/wind-down/exports"


def _bearer(organisation) -> dict:
    _, token = issue_api_token(organisation=organisation, actor=None, name="tools")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def story(world):
    story = closing_story(world)
    story.wind_down = start(story)
    return story


def test_the_partner_lists_its_cases(client, story):
    answer = client.get(CASES, **_bearer(story.mcc))
    assert answer.status_code == 200
    assert sorted((c["resident_email"], c["service"], c["state"]) for c in answer.json()) == [
        ("dan@example.org", "mcc-files", "notified"),
        ("rita@example.org", "mcc-files", "notified"),
    ]


def test_the_partner_marks_exports_done(client, story):
    ids = list(story.wind_down.cases.values_list("pk", flat=True))
    answer = client.post(
        EXPORTS, {"cases": ids}, content_type="application/json", **_bearer(story.mcc)
    )
    assert answer.json() == {"exported": 2}
    assert set(Case.objects.values_list("state", flat=True)) == {"exported"}
    event = AuditEvent.objects.filter(action="winddown.case.exported").first()
    assert event.note == "through the API by mcc" and event.actor is None


def test_a_case_already_settled_refuses_the_batch(client, story):
    rita, dan = Case.objects.get(resident=story.rita), Case.objects.get(resident=story.dan)
    bearer = _bearer(story.mcc)
    client.post(EXPORTS, {"cases": [rita.pk]}, content_type="application/json", **bearer)
    answer = client.post(
        EXPORTS, {"cases": [rita.pk, dan.pk]}, content_type="application/json", **bearer
    )
    assert answer.status_code == 409
    assert answer.json()["problems"] == [
        {"where": "cases", "message": f"Case {rita.pk} is already data returned."}
    ]
    dan.refresh_from_db()
    assert dan.state == "notified"


def test_another_partner_cannot_mark_them(client, story):
    case = Case.objects.first()
    answer = client.post(
        EXPORTS, {"cases": [case.pk]}, content_type="application/json", **_bearer(story.cct)
    )
    assert answer.status_code == 404
    assert answer.json() == {"detail": "Your organisation is not winding down."}
    case.refresh_from_db()
    assert case.state == "notified"


def test_a_body_without_case_numbers_is_refused(client, story):
    answer = client.post(
        EXPORTS, {"cases": ["all"]}, content_type="application/json", **_bearer(story.mcc)
    )
    assert answer.status_code == 400
    assert answer.json()["problems"] == [
        {"where": "cases", "message": 'send {"cases": [...]} with case numbers'}
    ]
    assert not Case.objects.exclude(state="notified").exists()


def test_without_a_token_nothing_is_told(client, story):
    assert client.get(CASES).status_code == 401


def test_a_whole_number_written_as_a_decimal_names_its_case(client, story):
    case = Case.objects.get(resident=story.rita)
    answer = client.post(
        EXPORTS, {"cases": [float(case.pk)]}, content_type="application/json", **_bearer(story.mcc)
    )
    assert answer.json() == {"exported": 1}


def test_an_unknown_case_number_is_named_and_nothing_changes(client, story):
    rita = Case.objects.get(resident=story.rita)
    answer = client.post(
        EXPORTS, {"cases": [rita.pk, 999999]}, content_type="application/json", **_bearer(story.mcc)
    )
    assert answer.status_code == 409
    assert answer.json()["problems"] == [
        {"where": "cases", "message": "Case 999999 is not one of this wind-down's cases."}
    ]
    rita.refresh_from_db()
    assert rita.state == "notified"
