"""How residents leave a service: its kind's usual to start with, corrected by its partner,
refused with a clear message when it names a format the region doesn't know or runs long,
and read by the API."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from solhost.core.models import AuditEvent
from solhost.partners.exits import EXPORT_FORMATS, MAX_STEPS_LENGTH
from solhost.partners.forms import ServiceForm
from solhost.partners.kinds import STARTER_EXIT_INFORMATION, STARTER_SERVICE_KINDS
from solhost.partners.models import Service, ServiceKind
from solhost.partners.tests.helpers import refused
from solhost.partners.tests.test_admin import admin_form_data
from solhost.tests.forms import form_data

ADD = reverse("partners:service_add", args=["mcc"])
EDIT = reverse("partners:service_edit", args=["mcc", "mcc-files"])
# The migration that gave kinds and services their exit information.
exit_migration = importlib.import_module(
    "solhost.partners.migrations.0005_service_exit_information"
)

FILES_EXIT = {
    "export_formats": ["original-files", "ics", "vcf"],
    "export_steps": "Download your files; export calendars as .ics.",
    "account_move": "partly",
    "account_move_steps": "Nextcloud's user migration app.",
}


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)
    return client


def _edit_data(world, **changes) -> dict:
    return form_data(ServiceForm(instance=world.mcc_service, organisation=world.mcc), **changes)


def test_every_starter_kind_says_how_to_leave_in_formats_the_region_knows():
    assert set(STARTER_EXIT_INFORMATION) == {slug for slug, *_ in STARTER_SERVICE_KINDS}
    for slug, exit_information in STARTER_EXIT_INFORMATION.items():
        kind = ServiceKind(slug=slug, name=slug, **exit_information)
        kind.full_clean(exclude=["slug", "name"], validate_unique=False)
        assert kind.names_export_method, slug


def test_a_new_service_starts_with_how_its_kind_is_usually_left(alice, world):
    ServiceKind.objects.filter(pk=world.chat.pk).update(
        export_formats=["json"], account_move="none", account_move_steps="No portability."
    )
    page = alice.get(ADD)
    # The kind is not chosen yet: the form says where the exit information comes from.
    assert "export_formats" not in page.context["form"].fields
    assert "starts as usual for its kind" in page.content.decode()
    response = alice.post(
        ADD,
        {
            "slug": "mcc-chat",
            "name": "MCC Chat",
            "kind": str(world.chat.pk),
            "summary": "Matrix chat for Brunswick groups.",
            "software": "Synapse",
            "licence": "AGPL-3.0-or-later",
            "source_url": "https://github.com/element-hq/synapse",
            "audience": "public",
            "url": "https://chat.mcc.example.org",
            # A hostile post cannot slip its own past the form either.
            "export_formats": ["docx"],
        },
    )
    assert response.status_code == 302
    service = Service.objects.get(slug="mcc-chat")
    assert service.exit_information() == {
        "export_formats": ["json"],
        "export_steps": "",
        "account_move": "none",
        "account_move_steps": "No portability.",
    }


def test_its_partner_corrects_how_a_service_is_left_and_the_change_is_audited(alice, world):
    response = alice.post(EDIT, _edit_data(world, **FILES_EXIT))
    assert response.status_code == 302
    world.mcc_service.refresh_from_db()
    assert world.mcc_service.exit_information() == FILES_EXIT
    [event] = AuditEvent.objects.all()
    assert (event.actor, event.action) == (world.alice, "partners.service.update")
    assert event.changed_fields() == [
        "account_move", "account_move_steps", "export_formats", "export_steps",
    ]  # fmt: skip


def test_an_unknown_export_format_is_refused_by_name(alice, world):
    errors = refused(alice, EDIT, _edit_data(world, export_formats=["ics", "docx"]))
    assert errors["export_formats"] == [
        "“docx” is not a format the region knows: choose from the list."
    ]


def test_an_unknown_way_of_moving_is_refused(alice, world):
    errors = refused(alice, EDIT, _edit_data(world, account_move="teleport"))
    assert "teleport is not one of the available choices" in errors["account_move"][0]


@pytest.mark.parametrize("field", ["export_steps", "account_move_steps"])
def test_over_long_steps_are_refused_with_the_limit(alice, world, field):
    errors = refused(alice, EDIT, _edit_data(world, **{field: "x" * (MAX_STEPS_LENGTH + 1)}))
    assert errors[field] == [
        f"Ensure this value has at most {MAX_STEPS_LENGTH} characters (it has "
        f"{MAX_STEPS_LENGTH + 1})."
    ]


def test_the_model_names_unknown_formats_for_the_admin_and_other_writers(world):
    world.files.export_formats = ["zip", "docx", "pdf"]
    with pytest.raises(ValidationError) as refused_kind:
        world.files.full_clean()
    [message] = refused_kind.value.message_dict["export_formats"]
    assert message.startswith("“docx”, “pdf”: not a format the region knows. Choose from ")
    assert ", ".join(EXPORT_FORMATS) in message


def test_the_api_says_how_to_leave_each_service(client, world):
    Service.objects.filter(pk=world.mcc_service.pk).update(**FILES_EXIT)
    [service] = client.get("/api/v1/services?kind=files").json()
    assert service["how_to_leave"] == FILES_EXIT
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["HowToLeaveOut"]
    assert (
        "`ics` iCalendar (.ics) calendars" in schema["properties"]["export_formats"]["description"]
    )
    assert "`no_account`" in schema["properties"]["account_move"]["description"]


def test_the_migration_gives_starter_kinds_and_their_services_the_usual(world):
    other = ServiceKind.objects.create(slug="knitting", name="Knitting circles")
    exit_migration.give_exit_information(apps, None)
    world.files.refresh_from_db()
    world.mcc_service.refresh_from_db()
    other.refresh_from_db()
    assert world.files.exit_information() == exit_migration.STARTER_EXIT_INFORMATION["files"]
    assert world.mcc_service.exit_information() == world.files.exit_information()
    # A kind the region made itself says nothing until the region does.
    assert (other.export_formats, other.account_move) == ([], "none")


def test_the_steward_sets_a_kinds_usual_in_the_admin_and_unknown_formats_are_named(client, world):
    client.force_login(world.sam)
    url = reverse("admin:partners_servicekind_change", args=[world.files.pk])
    page = client.get(url)
    response = client.post(url, admin_form_data(page, export_formats='["ics", "docx"]'))
    assert response.status_code == 200
    assert "“docx”: not a format the region knows." in response.content.decode()
    world.files.refresh_from_db()
    assert world.files.export_formats == []
    response = client.post(
        url, admin_form_data(page, export_formats='["ics", "vcf"]', account_move="partly")
    )
    assert response.status_code == 302
    world.files.refresh_from_db()
    assert (world.files.export_formats, world.files.account_move) == (["ics", "vcf"], "partly")
