"""Adding and editing servers: bad input is named and nothing is stored."""

import pytest
from django.urls import reverse

from solhost.core.models import AuditEvent
from solhost.partners.forms import IPAddressListField, ServerForm
from solhost.partners.models import Server
from solhost.partners.tests.helpers import NEW_SERVER, refused
from solhost.tests.forms import form_data

ADD = reverse("partners:server_add", args=["mcc"])
EDIT = reverse("partners:server_edit", args=["mcc", "mcc-1"])


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)
    return client


def test_adding_a_server(alice, world):
    response = alice.post(ADD, {**NEW_SERVER, "public_ips": "203.0.113.7, 2001:DB8::7"})
    assert response.status_code == 302
    server = Server.objects.get(slug="mcc-2")
    assert server.organisation == world.mcc
    assert server.public_ips == ["203.0.113.7", "2001:db8::7"]
    [event] = AuditEvent.objects.all()
    assert (event.actor, event.action) == (world.alice, "partners.server.create")


def test_a_hostile_post_cannot_add_a_server_to_another_partner(alice, world):
    alice.post(ADD, {**NEW_SERVER, "organisation": world.cct.pk})
    assert Server.objects.get(slug="mcc-2").organisation == world.mcc


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("latitude", "95", "95 is out of range: latitude must be between -90 and 90 degrees"),
        ("longitude", "-200", "-200 is out of range: longitude must be between -180 and 180"),
        ("latitude", "north", "Enter a number."),
    ],
)
def test_coordinates_out_of_range_say_the_valid_range(alice, field, value, message):
    errors = refused(alice, ADD, {**NEW_SERVER, field: value})
    assert list(errors) == [field]
    assert errors[field][0].startswith(message)


def test_a_server_keeps_its_network_number(alice):
    assert alice.post(ADD, {**NEW_SERVER, "asn": "4764"}).status_code == 302
    assert Server.objects.get(slug="mcc-2").asn == 4764


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("AS-big", "Enter a whole number."),
        ("0", "Ensure this value is greater than or equal to 1."),
        ("4294967296", "Ensure this value is less than or equal to 4294967295."),
    ],
)
def test_a_network_number_that_cannot_exist_isrefused(alice, value, message):
    errors = refused(alice, ADD, {**NEW_SERVER, "asn": value})
    assert errors == {"asn": [message]}


def test_every_malformed_ip_address_is_named(alice):
    errors = refused(alice, ADD, {**NEW_SERVER, "public_ips": "203.0.113.7\nnot-an-ip, 10.0.0.300"})
    assert errors["public_ips"] == [
        "Entry 2, “not-an-ip”, is not an IPv4 or IPv6 address.",
        "Entry 3, “10.0.0.300”, is not an IPv4 or IPv6 address.",
    ]


def test_a_refused_ip_list_is_shown_again_as_typed(alice):
    response = alice.post(ADD, {**NEW_SERVER, "public_ips": "203.0.113.7, nope"})
    assert "203.0.113.7, nope</textarea>" in response.content.decode()


@pytest.mark.parametrize("url", [ADD, EDIT])
def test_a_slug_another_server_uses_is_a_field_error(alice, world, url):
    data = {**NEW_SERVER, "slug": "cct-1"}
    if url == EDIT:
        data = form_data(ServerForm(instance=world.mcc_server), slug="cct-1")
    errors = refused(alice, url, data)
    assert errors["slug"][0].startswith("This slug is already taken.")


def test_editing_a_server_records_the_changed_fields(alice, world):
    data = form_data(ServerForm(instance=world.mcc_server), public_ips="203.0.113.9\n203.0.113.10")
    assert alice.post(EDIT, data).status_code == 302
    [event] = AuditEvent.objects.all()
    assert event.changed_fields() == ["public_ips"]
    assert event.after["public_ips"] == ["203.0.113.9", "203.0.113.10"]


def test_renaming_a_servers_slug_keeps_it_with_its_organisation(alice, world):
    data = form_data(ServerForm(instance=world.mcc_server), slug="mcc-one")
    assert alice.post(EDIT, data).status_code == 302
    assert Server.objects.get(pk=world.mcc_server.pk).slug == "mcc-one"
    assert alice.get(reverse("partners:server_edit", args=["mcc", "mcc-one"])).status_code == 200


def test_the_ip_field_accepts_lines_commas_and_blank_input():
    field = IPAddressListField(required=False)
    assert field.clean("203.0.113.7\r\n\r\n2001:db8::7,203.0.113.7,") == [
        "203.0.113.7",
        "2001:db8::7",
    ]
    assert field.clean("") == []
    assert field.prepare_value(["203.0.113.7", "2001:db8::7"]) == "203.0.113.7\n2001:db8::7"
