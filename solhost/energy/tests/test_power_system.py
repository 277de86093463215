"""A partner describes how a server's location is powered: saved, audited, and refused when wrong."""

import pytest
from django.urls import reverse

from solhost.core.models import AuditEvent
from solhost.energy.actions import save_power_system
from solhost.energy.forms import PowerSystemForm
from solhost.energy.models import PowerSystem
from solhost.partners.tests.helpers import POWER_DATA, refused
from solhost.qualification.models import QualificationRun
from solhost.tests.forms import form_data

POWER = reverse("energy:power_edit", args=["mcc", "mcc-1"])
POWER_VALUES = {"pv_kwp": 3.2, "battery_nominal_wh": 5000, "essential_load_w": 40}


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)
    return client


def test_describing_a_power_system(alice, world):
    assert alice.post(POWER, POWER_DATA).status_code == 302
    power = PowerSystem.objects.get(server=world.mcc_server)
    assert (power.pv_kwp, power.battery_nominal_wh, power.grid_connected) == (3.2, 5000, True)
    assert power.battery_accounting == "single_pool"
    [event] = AuditEvent.objects.all()
    assert (event.actor, event.action) == (world.alice, "partners.power_system.create")


def test_a_partner_chooses_two_pool_battery_accounting(alice, world):
    assert alice.post(POWER, POWER_DATA | {"battery_accounting": "two_pool"}).status_code == 302
    assert PowerSystem.objects.get(server=world.mcc_server).battery_accounting == "two_pool"
    page = alice.post(POWER, POWER_DATA | {"battery_accounting": "three_pools"})
    assert "battery_accounting" in page.context["form"].errors
    assert PowerSystem.objects.get(server=world.mcc_server).battery_accounting == "two_pool"


def test_editing_a_power_system_unchanged_records_nothing(alice, world):
    alice.post(POWER, POWER_DATA)
    power = PowerSystem.objects.get()
    alice.post(POWER, form_data(PowerSystemForm(instance=power)))
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"battery_health_pct": "120"}, "battery_health_pct", "less than or equal to 100"),
        ({"community_latitude": "-37.7"}, "__all__", "Give both the latitude and the longitude"),
        (
            {"community_latitude": "-97", "community_longitude": "144.9"},
            "community_latitude",
            "-97 is out of range: latitude must be between -90 and 90",
        ),
    ],
)
def test_bad_power_data_isrefused(alice, changes, field, message):
    errors = refused(alice, POWER, {**POWER_DATA, **changes})
    assert list(errors) == [field]
    assert message in errors[field][0]


def test_save_power_system_creates_then_updates(world):
    power = save_power_system(server=world.mcc_server, actor=world.alice, data=POWER_VALUES)
    assert power.server == world.mcc_server
    save_power_system(
        server=world.mcc_server, actor=world.alice, data={**POWER_VALUES, "pv_kwp": 4.0}
    )
    assert PowerSystem.objects.get().pv_kwp == 4.0
    update, create = AuditEvent.objects.all()
    assert create.action == "partners.power_system.create"
    assert update.action == "partners.power_system.update"
    assert update.changed_fields() == ["pv_kwp"]


def test_a_power_system_change_has_the_partner_judged_again(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        save_power_system(server=world.mcc_server, actor=world.alice, data=POWER_VALUES)
    run = QualificationRun.objects.get(organisation=world.mcc)
    assert run.trigger == "partners.power_system.create by alice"
