from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.core.models import AuditEvent, Parameter
from solhost.qualification.models import Declarations


@pytest.mark.django_db
def test_record_keeps_actor_object_and_changed_fields(world):
    before = audit.snapshot(world.mcc_server)
    world.mcc_server.locality = "Brunswick East"
    world.mcc_server.save()
    event = audit.record(
        actor=world.alice,
        action="partners.server.update",
        obj=world.mcc_server,
        before=before,
        after=audit.snapshot(world.mcc_server),
    )
    assert event.actor_label == "alice"
    assert event.changed_fields() == ["locality"]
    assert list(audit.events_for(world.mcc_server)) == [event]


@pytest.mark.django_db
def test_events_are_append_only(world):
    event = audit.record(actor=None, action="demo.load")
    assert event.actor_label == "system"
    event.note = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).note == ""


@pytest.mark.django_db
def test_snapshots_never_copy_a_password_hash(world):
    data = audit.snapshot(world.alice)
    assert data["password"] == "(set)"
    assert "argon2" not in str(data)


@pytest.mark.django_db
def test_snapshots_name_a_stored_file_instead_of_copying_it(world):
    from solhost.qualification.models import Evidence

    evidence = Evidence(organisation=world.mcc, criterion="B1.3")
    assert audit.snapshot(evidence)["file"] == ""
    evidence.file.name = "evidence/mcc/rules.pdf"
    assert audit.snapshot(evidence)["file"] == "evidence/mcc/rules.pdf"


def test_every_audit_action_is_documented():
    documented = (Path(__file__).parents[3] / "docs" / "audit.md").read_text()
    missing = [action.value for action in AuditAction if f"`{action.value}`" not in documented]
    assert missing == []


def test_an_unknown_action_name_is_refused(db):
    with pytest.raises(ValueError, match=r"unknown audit action 'partners\.server\.rename'"):
        audit.record(actor=None, action="partners.server.rename")
    assert AuditEvent.objects.count() == 0


def test_admin_action_names_follow_the_model(db):
    event = audit.record(actor=None, action=audit.admin_action(Parameter, "change"))
    assert event.action == "admin.parameter.change"


def test_save_audited_records_only_a_change(world):
    server = world.mcc_server
    assert not audit.save_audited(
        server, {"name": server.name}, actor=world.alice, action=AuditAction.SERVER_UPDATE
    )
    assert audit.save_audited(
        server, {"name": "Renamed"}, actor=world.alice, action=AuditAction.SERVER_UPDATE
    )
    events = list(audit.events_for(server))
    assert [(e.action, e.before["name"], e.after["name"]) for e in events] == [
        ("partners.server.update", "MCC one", "Renamed")
    ]


def test_save_audited_validates_before_saving(world):
    server = world.mcc_server
    with pytest.raises(ValidationError):
        audit.save_audited(
            server, {"latitude": 123}, actor=world.alice, action=AuditAction.SERVER_UPDATE
        )
    server.refresh_from_db()
    assert server.latitude != 123
    assert list(audit.events_for(server)) == []


def test_a_decimal_at_another_scale_is_no_change(world):
    declared = Declarations.objects.create(organisation=world.mcc, pay_ratio_cap=Decimal("1.50"))
    declared.refresh_from_db()
    assert not audit.save_audited(
        declared,
        {"pay_ratio_cap": Decimal("1.5")},
        actor=world.alice,
        action=AuditAction.DECLARATIONS_SAVE,
    )
    assert audit.save_audited(
        declared,
        {"pay_ratio_cap": Decimal("1.75")},
        actor=world.alice,
        action=AuditAction.DECLARATIONS_SAVE,
    )
    [event] = audit.events_for(declared)
    assert (event.before["pay_ratio_cap"], event.after["pay_ratio_cap"]) == ("1.50", "1.75")


def test_record_saved_keeps_what_was_read_and_what_is_stored(world):
    server = world.mcc_server
    before = audit.snapshot(server)
    server.locality = "Brunswick East"
    server.save()
    event = audit.record_saved(
        server, actor=world.alice, action=AuditAction.SERVER_UPDATE, before=before, note="moved"
    )
    assert event.changed_fields() == ["locality"]
    assert (event.after["locality"], event.note) == ("Brunswick East", "moved")
