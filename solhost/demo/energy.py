"""The demo region's meter data and its analysis, stored like any upload."""

from solhost.energy import actions
from solhost.partners.models import Server


def load_demo_energy(*, days: int = 28) -> int:
    """Demo telemetry and its analysis for every server with a power system; how many.

    The analysis runs here rather than in the background, so the demo's energy pages are
    filled as soon as the demo is loaded, with or without a job consumer.
    """
    servers = Server.objects.filter(power_system__isnull=False).select_related("power_system")
    for server in servers:
        actions.store_synthetic_telemetry(server=server, days=days)
        actions.analyse_server(server=server)
    return len(servers)
