"""The demo region's meter data and its analysis, stored like any upload."""

from collections.abc import Iterable, Mapping

from solhost.energy import actions
from solhost.partners.models import Server


def load_demo_energy(
    *, servers: Iterable[Server], days: int = 28, days_by_server: Mapping[str, int] | None = None
) -> int:
    """Demo telemetry and its analysis for each of ``servers`` with a power system; how many.

    Each gets ``days`` days of readings up to yesterday, or as many as ``days_by_server``
    gives for its slug.

    Only the demo's own servers are given, so a real server never gets made-up readings.
    The analysis runs here rather than in the background, so the demo's energy pages are
    filled as soon as the demo is loaded, with or without a job consumer.
    """
    powered = list(
        Server.objects.filter(
            pk__in=[server.pk for server in servers], power_system__isnull=False
        ).select_related("power_system")
    )
    for server in powered:
        actions.store_synthetic_telemetry(
            server=server, days=(days_by_server or {}).get(server.slug, days)
        )
        actions.analyse_server(server=server)
    return len(powered)
