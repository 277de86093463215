import pytest

from solhost.core import audit
from solhost.core.models import AuditEvent


@pytest.mark.django_db
def test_record_keeps_actor_object_and_changed_fields(world):
    before = audit.snapshot(world.mcc_server)
    world.mcc_server.locality = "Brunswick East"
    world.mcc_server.save()
    event = audit.record(
        actor=world.alice,
        action="server.update",
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
