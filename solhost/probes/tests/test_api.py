import datetime

import pytest
from django.utils import timezone

from solhost.partners.actions import issue_api_token

MINUTE = datetime.timedelta(minutes=1)


def as_partner(client, organisation, user, **params):
    _, token = issue_api_token(organisation=organisation, actor=user, name="status")
    return client.get("/api/v1/status/period", params, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_anyone_reads_each_address_status_and_availability(client, probed):
    answer = client.get("/api/v1/status")
    assert answer.status_code == 200
    by_service = {a["service"]: a for a in answer.json()}
    files, chat = by_service["mcc-files"], by_service["cct-chat"]
    assert (files["partner"], files["kind"], files["up"], files["down_since"]) == (
        "mcc",
        "public",
        True,
        None,
    )
    assert files["availability"]["last_24_hours"] == {"checks": 2, "up_checks": 2, "share": 1.0}
    assert chat["up"] is False and chat["problem"] == "answered HTTP 500"
    assert chat["down_since"] is not None
    assert chat["availability"]["last_90_days"] == {"checks": 2, "up_checks": 0, "share": 0.0}


def test_anyone_reads_the_incidents(client, probed):
    (incident,) = client.get("/api/v1/status/incidents").json()
    assert (incident["service"], incident["ended_at"], incident["problem"]) == (
        "cct-chat",
        None,
        "answered HTTP 500",
    )


def test_a_partner_counts_its_own_checks_over_a_period(client, probed):
    start = timezone.now() - datetime.timedelta(hours=1)
    answer = as_partner(client, probed.cct, probed.carol, start=start.isoformat(), hours=72)
    assert answer.status_code == 200
    found = answer.json()
    # The period is not over: the count stops now.
    assert start.isoformat() < found["end"] < (start + datetime.timedelta(hours=2)).isoformat()
    assert found["addresses"] == [
        {
            "service": "cct-chat",
            "kind": "public",
            "url": probed.cct_service.url,
            "availability": {"checks": 2, "up_checks": 0, "share": 0.0},
        }
    ]


def test_a_period_before_the_checks_kept_counts_none(client, probed):
    found = as_partner(
        client, probed.mcc, probed.alice, start="2020-03-01T10:00:00+11:00", hours=72
    ).json()
    assert (found["start"], found["end"]) == ("2020-02-29T23:00:00Z", "2020-03-03T23:00:00Z")
    assert found["addresses"][0]["availability"] == {"checks": 0, "up_checks": 0, "share": None}
    assert found["checks_kept_since"] > "2026"


def test_a_period_needs_a_token(client, probed):
    assert client.get("/api/v1/status/period").status_code == 401


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"start": "2026-03-01T10:00:00", "hours": 3}, "needs its offset from UTC"),
        ({"start": "2026-03-01T10:00:00Z", "hours": 0}, "greater than or equal to 1"),
        ({"start": "2026-03-01T10:00:00Z", "hours": 2161}, "less than or equal to 2160"),
    ],
)
def test_a_period_that_cannot_be_counted_says_why(client, probed, params, words):
    answer = as_partner(client, probed.mcc, probed.alice, **params)
    assert answer.status_code == 422
    assert words in answer.content.decode()
