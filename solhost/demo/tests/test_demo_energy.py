"""The demo region's energy: meter data and analysis for every server with a power system."""

from solhost.demo.energy import load_demo_energy
from solhost.energy.models import EnergyAnalysis, TelemetryReading
from solhost.energy.tests.helpers import power_system


def test_the_demo_fills_every_server_with_a_power_system(world):
    power_system(world.mcc_server)

    assert load_demo_energy(days=3) == 1
    assert EnergyAnalysis.objects.filter(server=world.mcc_server).exists()
    assert not TelemetryReading.objects.filter(server=world.cct_server).exists()
