"""The write path: one transaction and exactly one audit event per change, nothing on refusal."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from solhost.core.audit import events_for
from solhost.core.models import AuditEvent
from solhost.partners import actions
from solhost.partners.models import Organisation, Server, Service
from solhost.partners.tests.helpers import db_state

SERVER = {
    "slug": "mcc-2",
    "name": "MCC two",
    "role": "primary",
    "latitude": -37.766,
    "longitude": 144.971,
    "hosting_company": "self-hosted",
    "public_ips": ["203.0.113.7"],
    "operation_started": datetime.date(2025, 10, 1),
}


def _only_event() -> AuditEvent:
    [event] = AuditEvent.objects.all()
    return event


def test_update_organisation_records_who_changed_what(world):
    actions.update_organisation(
        organisation=world.mcc, actor=world.alice, data={"summary": "Now in Coburg too."}
    )
    world.mcc.refresh_from_db()
    assert world.mcc.summary == "Now in Coburg too."
    event = _only_event()
    assert (event.actor, event.action) == (world.alice, "partners.organisation.update")
    assert event.changed_fields() == ["summary"]
    assert event.before["summary"] == "A worker co-op in Brunswick."
    assert list(events_for(world.mcc)) == [event]


def test_an_update_that_changes_nothing_is_not_recorded(world):
    actions.update_organisation(
        organisation=world.mcc, actor=world.alice, data={"summary": world.mcc.summary}
    )
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("field", ["kind", "slug"])
def test_a_partner_cannot_change_its_kind_or_slug(world, field):
    before = db_state()
    with pytest.raises(ValueError, match=field):
        actions.update_organisation(
            organisation=world.mcc, actor=world.alice, data={field: "steward"}
        )
    assert db_state() == before


def test_the_before_snapshot_is_what_was_stored_not_what_a_form_changed_in_memory(world):
    world.mcc.summary = "Typed into a form."
    actions.update_organisation(
        organisation=world.mcc, actor=world.alice, data={"summary": "Saved."}
    )
    assert _only_event().before["summary"] == "A worker co-op in Brunswick."


def test_create_server_belongs_to_the_organisation(world):
    server = actions.create_server(organisation=world.mcc, actor=world.alice, data=SERVER)
    assert server.organisation == world.mcc
    event = _only_event()
    assert (event.actor, event.action, event.before) == (
        world.alice,
        "partners.server.create",
        None,
    )
    assert event.after["slug"] == "mcc-2"


def test_update_server_lists_the_changed_fields(world):
    actions.update_server(
        server=world.mcc_server,
        actor=world.alice,
        data={"locality": "Brunswick East", "public_ips": ["203.0.113.9"]},
    )
    event = _only_event()
    assert event.changed_fields() == ["locality", "public_ips"]
    assert event.actor_label == "alice"


@pytest.mark.parametrize(
    ("field", "value"), [("latitude", 95), ("longitude", -200), ("public_ips", ["nope"])]
)
def test_actions_validate_like_the_forms_do(world, field, value):
    before = db_state()
    with pytest.raises(ValidationError) as raised:
        actions.create_server(
            organisation=world.mcc, actor=world.alice, data={**SERVER, field: value}
        )
    assert field in raised.value.message_dict
    assert db_state() == before


def test_a_unique_clash_at_save_time_is_a_validation_error_not_a_crash(world, monkeypatch):
    # Two people saving the same slug at once both pass the form's uniqueness check.
    monkeypatch.setattr(Server, "validate_unique", lambda self, exclude=None: None)
    before = db_state()
    with pytest.raises(ValidationError, match="clashes"):
        actions.create_server(
            organisation=world.mcc, actor=world.alice, data={**SERVER, "slug": "cct-1"}
        )
    assert db_state() == before


def test_create_service_normalises_the_licence_and_records_its_servers(world):
    service = actions.create_service(
        organisation=world.mcc,
        actor=world.alice,
        data={
            "slug": "mcc-chat",
            "name": "MCC Chat",
            "kind": world.chat,
            "summary": "Chat.",
            "software": "Synapse",
            "licence": "agpl-3.0-or-later",
            "source_url": "https://github.com/element-hq/synapse",
            "url": "https://chat.mcc.example.org",
            "servers": [world.mcc_server],
        },
    )
    assert service.licence == "AGPL-3.0-or-later"
    assert list(service.servers.all()) == [world.mcc_server]
    event = _only_event()
    assert event.action == "partners.service.create"
    assert event.after["servers"] == [world.mcc_server.pk]
    assert event.after["licence"] == "AGPL-3.0-or-later"


def test_a_service_cannot_run_on_another_partners_server(world):
    before = db_state()
    with pytest.raises(ValidationError) as raised:
        actions.update_service(
            service=world.mcc_service, actor=world.alice, data={"servers": [world.cct_server]}
        )
    assert "servers" in raised.value.message_dict
    assert db_state() == before


def test_update_service_records_a_change_of_servers(world):
    second = Server.objects.create(
        organisation=world.mcc,
        slug="mcc-2",
        name="MCC two",
        latitude=-37.77,
        longitude=144.97,
        hosting_company="self-hosted",
        operation_started=datetime.date(2025, 10, 1),
    )
    actions.update_service(
        service=world.mcc_service,
        actor=world.alice,
        data={"servers": [world.mcc_server, second]},
    )
    event = _only_event()
    assert event.changed_fields() == ["servers"]
    assert event.after["servers"] == sorted([world.mcc_server.pk, second.pk])


def test_update_service_with_the_same_servers_records_nothing(world):
    actions.update_service(
        service=world.mcc_service, actor=world.alice, data={"servers": [world.mcc_server]}
    )
    assert not AuditEvent.objects.exists()


def test_update_service_rejects_an_unknown_licence(world):
    before = db_state()
    with pytest.raises(ValidationError, match=r"Foo-1\.0"):
        actions.update_service(
            service=world.mcc_service, actor=world.alice, data={"licence": "Foo-1.0"}
        )
    assert db_state() == before


def test_nothing_outside_the_use_case_can_be_written(world):
    before = db_state()
    with pytest.raises(ValueError, match="organisation"):
        actions.update_service(
            service=world.mcc_service, actor=world.alice, data={"organisation": world.cct}
        )
    assert db_state() == before
    assert Service.objects.get(pk=world.mcc_service.pk).organisation == world.mcc
    assert Organisation.objects.get(pk=world.mcc.pk).kind == "partner"
