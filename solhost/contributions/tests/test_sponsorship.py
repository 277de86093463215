"""The sponsorship page: an organisation's admins pay for their own members' seats."""

import pytest
from django.urls import reverse

from solhost.contributions import actions
from solhost.contributions.models import PaymentReference, SponsoredSeat
from solhost.core.models import AuditEvent
from solhost.partners.models import Membership
from solhost.web.tests.pages import assert_clean_page


def page_of(slug: str) -> str:
    return reverse("contributions:sponsorship", args=[slug])


MCC = page_of("mcc")


def test_signing_in_is_needed(client, world):
    response = client.get(MCC)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("rita", 404), ("bob", 403), ("carol", 404), ("sam", 404), ("alice", 200)],
)
def test_only_the_organisations_admins_see_its_page(client, world, persona, status):
    client.force_login(getattr(world, persona))
    assert client.get(MCC).status_code == status
    response = client.post(MCC, {"sponsor": "1", "resident": world.bob.pk, "amount": "10"})
    assert response.status_code == (302 if status == 200 else status)


@pytest.mark.parametrize("persona", ["rita", "bob", "carol", "sam"])
def test_nobody_else_sponsors_or_stops_the_organisations_seats(client, world, persona):
    actions.sponsor_seat(organisation=world.mcc, resident=world.bob, monthly_cents=500, actor=None)
    client.force_login(getattr(world, persona))
    client.post(MCC, {"sponsor": "1", "resident": world.alice.pk, "amount": "10"})
    client.post(MCC, {"stop": world.bob.pk})
    assert list(SponsoredSeat.objects.values_list("resident__username", "monthly_cents")) == [
        ("bob", 500)
    ]


def test_the_steward_role_manages_the_steward_organisations_seats(client, world):
    client.force_login(world.sam)
    response = client.post(
        page_of("steward"), {"sponsor": "1", "resident": world.sam.pk, "amount": "5"}
    )
    assert response.status_code == 302
    assert SponsoredSeat.objects.get().organisation == world.steward


def test_an_admin_sponsors_changes_and_stops_a_members_seat(client, world):
    client.force_login(world.alice)
    page = client.get(MCC)
    assert_clean_page(page)
    assert "sponsors no seats yet" in page.content.decode()

    page = client.post(
        MCC, {"sponsor": "1", "resident": world.bob.pk, "amount": "12.50"}, follow=True
    )
    html = page.content.decode()
    reference = PaymentReference.objects.get(organisation=world.mcc)
    assert "sponsors bob&#x27;s seat with $12.50 a month" in html
    assert reference.code in html and reference.purpose == "sponsor"

    client.post(MCC, {"sponsor": "1", "resident": world.alice.pk, "amount": "10"})
    client.post(MCC, {"sponsor": "1", "resident": world.bob.pk, "amount": "15"})
    page = client.get(MCC)
    assert_clean_page(page)
    html = page.content.decode()
    assert "<dt>Seats sponsored</dt><dd>2</dd>" in html
    assert "<dt>Monthly total</dt><dd>$25.00</dd>" in html
    assert SponsoredSeat.objects.get(resident=world.bob).monthly_cents == 1500

    page = client.post(MCC, {"stop": world.bob.pk}, follow=True)
    assert "no longer sponsors bob&#x27;s seat" in page.content.decode()
    assert list(SponsoredSeat.objects.values_list("resident__username", flat=True)) == ["alice"]
    stopped = AuditEvent.objects.get(action="contributions.stop_seat")
    assert stopped.actor == world.alice
    assert stopped.before["monthly_cents"] == 1500 and stopped.after is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"resident": "", "amount": "10"}, "This field is required"),
        ({"resident": "{rita}", "amount": "10"}, "Choose one of your organisation&#x27;s members"),
        ({"resident": "{carol}", "amount": "10"}, "Choose one of your organisation&#x27;s members"),
        ({"resident": "nobody", "amount": "10"}, "Choose one of your organisation&#x27;s members"),
        ({"resident": "{bob}", "amount": ""}, "This field is required"),
        ({"resident": "{bob}", "amount": "lots"}, "is not an amount of dollars"),
        ({"resident": "{bob}", "amount": "0"}, "A sponsored seat costs more than zero"),
        ({"resident": "{bob}", "amount": "-5"}, "is not an amount of dollars"),
    ],
)
def test_bad_input_is_explained_at_its_field_and_changes_nothing(client, world, data, message):
    client.force_login(world.alice)
    ids = {"rita": world.rita.pk, "carol": world.carol.pk, "bob": world.bob.pk}
    posted = {key: value.format(**ids) for key, value in data.items()}
    page = client.post(MCC, {"sponsor": "1", **posted})
    assert page.status_code == 200
    html = page.content.decode()
    assert message in html and "error-summary" in html
    assert not SponsoredSeat.objects.exists()
    assert not PaymentReference.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="contributions.").exists()


@pytest.mark.parametrize("who", ["rita", "carol", "nobody", "", "²"])
def test_stopping_someone_not_a_member_is_not_found(client, world, who):
    actions.sponsor_seat(organisation=world.mcc, resident=world.bob, monthly_cents=500, actor=None)
    client.force_login(world.alice)
    value = str(getattr(world, who).pk) if who in ("rita", "carol") else who
    assert client.post(MCC, {"stop": value}).status_code == 404
    assert SponsoredSeat.objects.count() == 1


def test_stopping_a_member_with_no_seat_says_so(client, world):
    client.force_login(world.alice)
    page = client.post(MCC, {"stop": world.bob.pk}, follow=True)
    assert "does not sponsor bob&#x27;s seat" in page.content.decode()


def test_another_organisations_seat_of_a_shared_member_is_untouched(client, world):
    # Bob also belongs to Coburg Commons Tech, which sponsors him too.
    Membership.objects.create(user=world.bob, organisation=world.cct, role="partner_member")
    actions.sponsor_seat(organisation=world.cct, resident=world.bob, monthly_cents=700, actor=None)
    client.force_login(world.alice)
    client.post(MCC, {"stop": world.bob.pk})
    assert SponsoredSeat.objects.get().organisation == world.cct
    assert "Coburg" not in client.get(MCC).content.decode()
