"""``GET /api/v1/deletions``: a partner reads the residents its services knew who deleted
their account, by the subs it knows, and nothing about anyone else's."""

import datetime

import pytest

from solhost.partners.actions import issue_api_token
from solhost.residents.models import DeletionNotice

URL = "/api/v1/deletions"
AT = datetime.datetime(2026, 11, 6, 3, 20, tzinfo=datetime.UTC)


@pytest.fixture
def notices(world):
    """Three deletions told to MCC an hour apart, one told to CCT."""
    told = [
        DeletionNotice.objects.create(
            organisation=world.mcc,
            subject=f"mcc-sub-{n}",
            deleted_at=AT + datetime.timedelta(hours=n),
        )
        for n in range(3)
    ]
    DeletionNotice.objects.create(organisation=world.cct, subject="cct-sub", deleted_at=AT)
    return told


def as_mcc(client, world, **params):
    _, token = issue_api_token(organisation=world.mcc, actor=world.alice, name="forget")
    return client.get(URL, params, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_token_is_needed(client, world, notices):
    assert client.get(URL).status_code == 401
    assert client.get(URL, HTTP_AUTHORIZATION="Bearer solhost_nope_nope").status_code == 401


def test_a_partner_reads_its_own_notices_in_order(client, world, notices):
    answer = as_mcc(client, world)

    assert answer.status_code == 200
    assert answer.json() == [
        {
            "id": n.pk,
            "sub": n.subject,
            "deleted_at": n.deleted_at.isoformat().replace("+00:00", "Z"),
        }
        for n in notices
    ]


def test_since_a_moment_and_after_the_last_one_read(client, world, notices):
    later = as_mcc(client, world, since=(AT + datetime.timedelta(hours=1)).isoformat())
    assert [n["sub"] for n in later.json()] == ["mcc-sub-1", "mcc-sub-2"]

    on = as_mcc(client, world, after=notices[1].pk)
    assert [n["sub"] for n in on.json()] == ["mcc-sub-2"]


@pytest.mark.parametrize(
    ("params", "where", "says"),
    [
        ({"since": "last tuesday"}, "since", "is not a date and time"),
        ({"since": "1764900000"}, "since", "is not a date and time"),
        ({"since": "2026-12-01T00:00:00"}, "since", "needs its offset from UTC"),
        # PostgreSQL refuses an offset this large with a DataError (found by schemathesis).
        ({"since": "9356-03-21T07:22:15+20:29"}, "since", "within ±14:00"),
        ({"since": "9999-12-31T23:00:00-05:00"}, "since", "out of the range of dates"),
        ({"after": "-1"}, "after", "greater than or equal to 0"),
        ({"after": str(2**70)}, "after", "less than or equal to"),
    ],
)
def test_a_bad_parameter_is_a_422_naming_it(client, world, notices, params, where, says):
    answer = as_mcc(client, world, **params)
    assert answer.status_code == 422
    (problem,) = answer.json()["detail"]
    assert problem["loc"] == ["query", where] and says in problem["msg"]
