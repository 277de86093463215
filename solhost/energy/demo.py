"""Demo telemetry for the demo region's servers, stored like any upload."""

import datetime

from django.utils import timezone

from solhost.energy import actions
from solhost.energy.ingest import UploadOptions
from solhost.energy.models import TelemetryUpload
from solhost.energy.stored import site_for
from solhost.energy.synthetic import synthetic_telemetry
from solhost.partners.models import Server


def store_demo_telemetry(
    *, server: Server, days: int = 28, until: datetime.date | None = None
) -> TelemetryUpload:
    """Store ``days`` days of made-up hourly telemetry ending ``until`` (default yesterday).

    The server needs a power system. Safe to re-run: the same days give the same rows, which
    are already stored the second time.
    """
    site = site_for(server)
    if site is None:
        raise ValueError(f"server {server.slug!r} has no power system to make telemetry for")
    last = until or timezone.localdate() - datetime.timedelta(days=1)
    first = last - datetime.timedelta(days=days - 1)
    telemetry = synthetic_telemetry(site, first_day=first, days=days, seed=server.slug)
    return actions.store_telemetry(
        server=server,
        telemetry=telemetry,
        actor=None,
        via=TelemetryUpload.Via.COMMAND,
        options=UploadOptions(),
        file_name="demo telemetry",
    )


def load_demo_energy(*, days: int = 28) -> int:
    """Demo telemetry and its analysis for every server with a power system; how many.

    The analysis runs here rather than in the background, so the demo's energy pages are
    filled as soon as the demo is loaded, with or without a job consumer.
    """
    servers = Server.objects.filter(power_system__isnull=False).select_related("power_system")
    for server in servers:
        store_demo_telemetry(server=server, days=days)
        actions.analyse_server(server=server)
    return len(servers)
