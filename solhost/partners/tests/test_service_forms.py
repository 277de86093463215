"""Adding and editing services: licences, slugs and servers are checked; nothing half-stored."""

import pytest
from django.urls import reverse

from solhost.core.models import AuditEvent
from solhost.partners.forms import ServiceForm
from solhost.partners.models import Service
from solhost.partners.tests.helpers import refused
from solhost.tests.forms import form_data

ADD = reverse("partners:service_add", args=["mcc"])
EDIT = reverse("partners:service_edit", args=["mcc", "mcc-files"])


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)
    return client


def _new_service(world, **changes) -> dict:
    return {
        "slug": "mcc-chat",
        "name": "MCC Chat",
        "kind": str(world.chat.pk),
        "summary": "Matrix chat for Brunswick groups.",
        "software": "Synapse",
        "licence": "agpl-3.0-or-later",
        "source_url": "https://github.com/element-hq/synapse",
        "audience": "public",
        "url": "https://chat.mcc.example.org",
        "servers": [str(world.mcc_server.pk)],
        **changes,
    }


def _edit_data(world, **changes) -> dict:
    return form_data(ServiceForm(instance=world.mcc_service, organisation=world.mcc), **changes)


def test_adding_a_service_normalises_its_licence(alice, world):
    assert alice.post(ADD, _new_service(world)).status_code == 302
    service = Service.objects.get(slug="mcc-chat")
    assert (service.organisation, service.licence) == (world.mcc, "AGPL-3.0-or-later")
    assert list(service.servers.all()) == [world.mcc_server]
    [event] = AuditEvent.objects.all()
    assert (event.actor, event.action) == (world.alice, "partners.service.create")


@pytest.mark.parametrize("url", [ADD, EDIT])
def test_an_unknown_licence_is_named_in_the_error(alice, world, url):
    data = _new_service(world) if url == ADD else _edit_data(world)
    errors = refused(alice, url, {**data, "licence": "Foo-1.0"})
    assert list(errors) == ["licence"]
    assert "Foo-1.0" in errors["licence"][0]


def test_an_unreadable_licence_expression_isrefused(alice, world):
    errors = refused(alice, ADD, _new_service(world, licence="MIT and and"))
    assert "Cannot read the licence expression" in errors["licence"][0]


@pytest.mark.parametrize("url", [ADD, EDIT])
def test_a_slug_another_service_uses_is_a_field_error(alice, world, url):
    data = _new_service(world) if url == ADD else _edit_data(world)
    errors = refused(alice, url, {**data, "slug": "cct-chat"})
    assert errors["slug"][0].startswith("This slug is already taken.")


@pytest.mark.parametrize("url", [ADD, EDIT])
def test_a_service_cannot_be_put_on_another_partners_server(alice, world, url):
    data = _new_service(world) if url == ADD else _edit_data(world)
    errors = refused(alice, url, {**data, "servers": [str(world.cct_server.pk)]})
    assert list(errors) == ["servers"]
    assert "not one of the available choices" in errors["servers"][0]
    assert list(world.mcc_service.servers.all()) == [world.mcc_server]


@pytest.mark.parametrize("url", [ADD, EDIT])
@pytest.mark.parametrize("server", ["-99999999999999999999", "9223372036854775808"])
def test_a_server_number_no_database_could_hold_is_not_a_choice(alice, world, url, server):
    data = _new_service(world) if url == ADD else _edit_data(world)
    errors = refused(alice, url, {**data, "servers": [server]})
    assert errors["servers"] == [
        f"Select a valid choice. {server} is not one of the available choices."
    ]
    assert list(world.mcc_service.servers.all()) == [world.mcc_server]


def test_a_hostile_post_cannot_move_a_service_to_another_partner(alice, world):
    response = alice.post(EDIT, _edit_data(world, organisation=str(world.cct.pk), summary="New."))
    assert response.status_code == 302
    service = Service.objects.get(pk=world.mcc_service.pk)
    assert (service.organisation, service.summary) == (world.mcc, "New.")


def test_the_server_choices_are_the_partners_own_and_kinds_are_a_select(alice, world):
    response = alice.get(ADD)
    form = response.context["form"]
    assert list(form.fields["servers"].queryset) == [world.mcc_server]
    page = response.content.decode()
    assert '<select name="kind"' in page and "Choose a kind" in page
    assert "CCT one" not in page
    assert '<legend>Runs on <span class="optional">(optional)</span></legend>' in page


def test_editing_a_service_records_the_changed_fields(alice, world):
    response = alice.post(EDIT, _edit_data(world, software_version="31.0.4", servers=[]))
    assert response.status_code == 302
    [event] = AuditEvent.objects.all()
    assert event.actor == world.alice
    assert event.changed_fields() == ["servers", "software_version"]
    assert list(world.mcc_service.servers.all()) == []


def test_a_partner_marks_its_service_full_and_open_again_on_the_form(alice, world):
    data = _edit_data(world)
    assert data["accepts_new_residents"] == "on"
    del data["accepts_new_residents"]
    assert alice.post(EDIT, data).status_code == 302
    world.mcc_service.refresh_from_db()
    assert world.mcc_service.accepts_new_residents is False
    assert AuditEvent.objects.get().changed_fields() == ["accepts_new_residents"]
    assert alice.post(EDIT, _edit_data(world, accepts_new_residents="on")).status_code == 302
    world.mcc_service.refresh_from_db()
    assert world.mcc_service.accepts_new_residents is True
