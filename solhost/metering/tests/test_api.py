import datetime
import json

import pytest
from django.utils import timezone

from solhost.metering.models import UsageEvent
from solhost.partners.actions import issue_api_token
from solhost.test import sub_at

URL = "/api/v1/usage"


@pytest.fixture
def mcc_headers(world):
    _, plaintext = issue_api_token(organisation=world.mcc, actor=world.alice, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def usage(world, key, service="mcc-files"):
    return {
        "id": key,
        "resident": sub_at(world.rita, world.mcc),
        "service": service,
        "kind": "file_upload",
        "quantity": 2,
        "occurred_at": (timezone.now() - datetime.timedelta(minutes=5)).isoformat(),
    }


def post(client, body, headers):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, data, content_type="application/json", **headers)


def test_a_partner_reports_a_batch_and_learns_what_happened_to_each_event(
    client, world, mcc_headers
):
    body = {"events": [usage(world, "a"), usage(world, "a"), usage(world, "b", "cct-chat")]}
    response = post(client, body, mcc_headers)
    assert response.status_code == 200
    answer = response.json()
    assert answer["counts"] == {"accepted": 1, "duplicates": 1, "rejected": 1}
    assert answer["accepted"] == ["a"] and answer["duplicates"] == ["a"]
    assert answer["rejected"] == [
        {
            "index": 2,
            "id": "b",
            "problems": [{"where": "events[2].service", "message": "is another partner's service"}],
        }
    ]
    again = post(client, {"events": [usage(world, "a")]}, mcc_headers).json()
    assert again["duplicates"] == ["a"] and UsageEvent.objects.count() == 1


def test_without_a_partner_token_nothing_is_stored(client, world):
    response = post(client, {"events": [usage(world, "a")]}, {"HTTP_AUTHORIZATION": "Bearer nope"})
    assert response.status_code == 401
    assert not UsageEvent.objects.exists()


def test_a_batch_over_1000_events_is_refused_whole(client, world, mcc_headers):
    events = [usage(world, f"e{i}") for i in range(1001)]
    response = post(client, {"events": events}, mcc_headers)
    assert response.status_code == 413
    assert "at most 1000 events; this one has 1001" in response.json()["problems"][0]["message"]
    assert not UsageEvent.objects.exists()


@pytest.mark.parametrize(
    "body, message",
    [
        ("{not json", "is not JSON"),
        ([], 'must be an object {"events": [...]}'),
        ({"events": "many"}, 'must be an object {"events": [...]}'),
    ],
)
def test_a_body_that_is_not_a_batch_gets_a_clear_400(client, world, mcc_headers, body, message):
    response = post(client, body, mcc_headers)
    assert response.status_code == 400
    assert message in response.json()["problems"][0]["message"]


def test_a_batch_sent_while_its_month_closes_is_answered_with_its_events_refused(
    client, world, mcc_headers, monkeypatch
):
    from solhost.metering import actions
    from solhost.metering.models import FrozenPeriod
    from solhost.metering.periods import period_of

    checked = actions.usage_open_for

    def close_commits_right_after_the_first_check(day, **kwargs):
        reason = checked(day, **kwargs)
        FrozenPeriod.objects.get_or_create(period=period_of(day))
        return reason

    monkeypatch.setattr(actions, "usage_open_for", close_commits_right_after_the_first_check)
    response = post(client, {"events": [usage(world, "a"), usage(world, "b")]}, mcc_headers)
    assert response.status_code == 200
    answer = response.json()
    assert answer["counts"] == {"accepted": 0, "duplicates": 0, "rejected": 2}
    assert "is closed" in answer["rejected"][0]["problems"][0]["message"]
    assert not UsageEvent.objects.exists()
