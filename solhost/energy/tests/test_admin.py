import pytest

from solhost.energy.models import EnergyAnalysis, TelemetryReading, TelemetryUpload
from solhost.energy.tests.helpers import with_telemetry


@pytest.mark.parametrize(
    "model", ["telemetryreading", "telemetryupload", "energyanalysis", "powersystem"]
)
def test_the_steward_sees_every_energy_record(client, world, model):
    with_telemetry(world.mcc_server, days=2)
    client.force_login(world.sam)

    assert client.get(f"/admin/energy/{model}/").status_code == 200


@pytest.mark.parametrize("model", [TelemetryReading, TelemetryUpload, EnergyAnalysis])
def test_stored_readings_uploads_and_analyses_are_read_only(client, world, model):
    with_telemetry(world.mcc_server, days=2)
    client.force_login(world.sam)
    name = model._meta.model_name
    pk = model.objects.first().pk

    assert client.get(f"/admin/energy/{name}/add/").status_code == 403
    page = client.get(f"/admin/energy/{name}/{pk}/change/")
    assert page.status_code == 200
    assert b'type="submit" value="Save"' not in page.content
    assert client.post(f"/admin/energy/{name}/{pk}/change/", {}).status_code == 403


def test_readings_cannot_be_deleted(client, world):
    with_telemetry(world.mcc_server, days=2)
    client.force_login(world.sam)
    pk = TelemetryReading.objects.first().pk
    assert client.get(f"/admin/energy/telemetryreading/{pk}/delete/").status_code == 403
