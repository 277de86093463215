"""The demo region's energy: meter data and analysis for the demo's servers with a power system."""

from solhost.demo.energy import load_demo_energy
from solhost.energy.models import EnergyAnalysis, TelemetryReading
from solhost.energy.tests.helpers import power_system


def test_the_demo_fills_the_servers_it_is_given_that_have_a_power_system(world):
    power_system(world.mcc_server)
    power_system(world.cct_server)

    assert load_demo_energy(servers=[world.mcc_server], days=3) == 1
    assert EnergyAnalysis.objects.filter(server=world.mcc_server).exists()
    # A server not given, such as a real partner's, gets no made-up readings.
    assert not TelemetryReading.objects.filter(server=world.cct_server).exists()
