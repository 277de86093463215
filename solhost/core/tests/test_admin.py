import datetime

import pytest
from django.urls import reverse

from solhost.core.models import AuditEvent, Parameter
from solhost.partners.models import Membership


def parameter_form(parameter, values):
    """The admin change form of a parameter with its inline values, as the browser posts it."""
    data = {
        "key": parameter.key,
        "title": parameter.title,
        "description": parameter.description,
        "criterion": parameter.criterion,
        "kind": parameter.kind,
        "unit": parameter.unit,
        "minimum": parameter.minimum if parameter.minimum is not None else "",
        "maximum": parameter.maximum if parameter.maximum is not None else "",
        "choices": "[]",
        "values-TOTAL_FORMS": str(len(values)),
        "values-INITIAL_FORMS": str(parameter.values.count()),
        "values-MIN_NUM_FORMS": "0",
        "values-MAX_NUM_FORMS": "1000",
        "core-auditevent-content_type-object_id-TOTAL_FORMS": "0",
        "core-auditevent-content_type-object_id-INITIAL_FORMS": "0",
    }
    for i, (pk, effective_from, value, source) in enumerate(values):
        data.update(
            {
                f"values-{i}-id": pk or "",
                f"values-{i}-parameter": parameter.pk,
                f"values-{i}-effective_from": effective_from,
                f"values-{i}-value": value,
                f"values-{i}-source": source,
            }
        )
    return data


@pytest.mark.django_db
def test_adding_a_parameter_value_inline_is_audited(world, client):
    client.force_login(world.sam)
    parameter = Parameter.objects.get(key="outage_hours")
    first = parameter.values.get()
    response = client.post(
        reverse("admin:core_parameter_change", args=[parameter.pk]),
        parameter_form(
            parameter,
            [
                (first.pk, first.effective_from.isoformat(), "72", first.source),
                (None, "2027-01-01", "96", "Decision 12"),
            ],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert parameter.value_at(datetime.date(2027, 1, 1)) == 96
    event = AuditEvent.objects.get(action="admin.parametervalue.add")
    assert event.actor == world.sam and event.after["value"] == 96


@pytest.mark.django_db
def test_an_impossible_parameter_value_is_refused_in_the_admin(world, client):
    client.force_login(world.sam)
    parameter = Parameter.objects.get(key="renewable_min_share")
    first = parameter.values.get()
    response = client.post(
        reverse("admin:core_parameter_change", args=[parameter.pk]),
        parameter_form(
            parameter,
            [
                (first.pk, first.effective_from.isoformat(), "8000", first.source),
                (None, "2027-01-01", "12000", "typo"),
            ],
        ),
    )
    assert response.status_code == 200
    assert "must be at most 10000" in response.content.decode()
    assert parameter.values.count() == 1
    assert not AuditEvent.objects.filter(action__startswith="admin.parameter").exists()


@pytest.mark.django_db
# The last is an integer too long for int(), which Django's own field fails on when it
# shows the form back.
@pytest.mark.parametrize(
    "choices",
    ["1e309", "[NaN]", '{"a": -Infinity}', pytest.param("9" * 5000, id="5000-digits")],
)
def test_json_no_database_can_store_is_refused_on_the_form(world, client, choices):
    client.force_login(world.sam)
    parameter = Parameter.objects.get(key="outage_hours")
    first = parameter.values.get()
    data = parameter_form(
        parameter, [(first.pk, first.effective_from.isoformat(), "72", first.source)]
    )

    response = client.post(
        reverse("admin:core_parameter_change", args=[parameter.pk]), {**data, "choices": choices}
    )

    assert response.status_code == 200
    assert "Not JSON a database can store" in str(response.context["errors"])
    assert not AuditEvent.objects.filter(action__startswith="admin.parameter").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("ticked", ["99999999999999999999", "²"])
def test_an_action_on_a_row_no_key_could_name_does_nothing(world, client, ticked):
    client.force_login(world.sam)
    changelist = reverse("admin:partners_membership_changelist")
    before = Membership.objects.count()

    response = client.post(
        changelist,
        {"action": "delete_selected", "index": "0", "_selected_action": [ticked]},
        follow=True,
    )

    assert response.status_code == 200
    assert "A ticked row does not exist" in response.content.decode()
    assert Membership.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["99999999999999999999", "²"])
def test_a_chosen_user_no_key_could_name_is_not_a_choice(world, client, user):
    client.force_login(world.sam)
    response = client.post(
        reverse("admin:partners_membership_add"),
        {"organisation": world.mcc.pk, "user": user, "role": "partner_member"},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in str(response.context["errors"])


@pytest.mark.django_db
def test_a_value_that_has_been_in_force_cannot_be_deleted_a_future_one_can(world, client):
    client.force_login(world.sam)
    parameter = Parameter.objects.get(key="outage_hours")
    first = parameter.values.get()
    later = parameter.values.create(
        effective_from=datetime.date(2099, 1, 1), value=96, source="Decision 12"
    )
    url = reverse("admin:core_parameter_change", args=[parameter.pk])
    values = [
        (first.pk, first.effective_from.isoformat(), "72", first.source),
        (later.pk, "2099-01-01", "96", "Decision 12"),
    ]

    refused = client.post(url, {**parameter_form(parameter, values), "values-0-DELETE": "on"})

    assert refused.status_code == 200
    assert "has been in force, so it stays" in refused.content.decode()
    assert parameter.values.count() == 2
    deleted = client.post(url, {**parameter_form(parameter, values), "values-1-DELETE": "on"})
    assert deleted.status_code == 302
    assert list(parameter.values.all()) == [first]
    assert AuditEvent.objects.filter(action="admin.parametervalue.delete").count() == 1
