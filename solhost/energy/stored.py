"""Reading what the database holds into the pure analysis's plain values."""

import datetime
import zoneinfo

import numpy as np
from django.conf import settings

from solhost.core.models import parameter_values
from solhost.energy.analysis import Parameters
from solhost.energy.canonical import Telemetry
from solhost.energy.models import PowerSystem, TelemetryReading
from solhost.energy.site import CommunityInstallation, Site
from solhost.partners.models import Server

# The parameters the analysis reads, and how it names them.
PARAMETER_KEYS = {
    "renewable_min_share_bp": "renewable_min_share",
    "renewable_window_days": "renewable_window_days",
    "outage_hours": "outage_hours",
    "outage_grace_days": "outage_grace_days",
    "bad_day_factor_bp": "outage_bad_day_factor",
    "min_coverage_bp": "energy_min_coverage_bp",
}


def site_timezone() -> str:
    """Every site of the region keeps the region's clock."""
    return str(settings.TIME_ZONE)


def parameters_at(day: datetime.date) -> tuple[Parameters, dict[str, int]]:
    """The analysis parameters in force on ``day``, and the raw values as stored."""
    stored = parameter_values(PARAMETER_KEYS.values(), at=day)
    raw = {name: int(stored[key]) for name, key in PARAMETER_KEYS.items()}  # type: ignore[call-overload]
    return (
        Parameters(
            renewable_min_share_bp=raw["renewable_min_share_bp"],
            renewable_window_days=raw["renewable_window_days"],
            outage_hours=raw["outage_hours"],
            outage_grace_days=raw["outage_grace_days"],
            bad_day_factor=raw["bad_day_factor_bp"] / 10000,
            min_coverage=raw["min_coverage_bp"] / 10000,
        ),
        raw,
    )


def site_for(server: Server) -> Site | None:
    """The server's power system as the analysis sees it; None if it is not described yet."""
    try:
        power = server.power_system
    except PowerSystem.DoesNotExist:
        return None
    community = None
    if power.community_installation:
        community = CommunityInstallation(
            power.community_installation, power.community_latitude, power.community_longitude
        )
    return Site(
        latitude=server.latitude,
        longitude=server.longitude,
        timezone=site_timezone(),
        pv_kwp=power.pv_kwp,
        pv_tilt_deg=power.pv_tilt_deg,
        pv_azimuth_deg=power.pv_azimuth_deg,
        battery_nominal_wh=power.battery_nominal_wh,
        battery_min_soc_pct=power.battery_min_soc_pct,
        battery_health_pct=power.battery_health_pct,
        round_trip_efficiency_pct=power.round_trip_efficiency_pct,
        inverter_efficiency_pct=power.inverter_efficiency_pct,
        essential_load_w=power.essential_load_w,
        operation_start=server.operation_started,
        grid_connected=power.grid_connected,
        name=server.name,
        server=server.slug,
        community_installation=community,
        battery_accounting=power.battery_accounting,
    )


def stored_telemetry(
    server: Server,
    *,
    channels: list[int] | None = None,
    since: int | None = None,
    until: int | None = None,
) -> Telemetry:
    """The server's stored rows (optionally some channels, starts in ``[since, until)``)."""
    rows = TelemetryReading.objects.filter(server=server)
    if channels is not None:
        rows = rows.filter(channel__in=channels)
    if since is not None:
        rows = rows.filter(ts_start__gte=since)
    if until is not None:
        rows = rows.filter(ts_start__lt=until)
    values = list(
        rows.order_by("channel", "ts_start").values_list(
            "channel", "ts_start", "interval_s", "energy_wh"
        )
    )
    table = np.array(values, dtype=np.float64).reshape(-1, 4)
    return Telemetry(
        np.full(len(table), server.slug, dtype=object),
        table[:, 0].astype(np.int8),
        table[:, 1].astype(np.int64),
        table[:, 2].astype(np.int64),
        table[:, 3],
        np.full(len(table), -1, dtype=np.int64),
    )


def local_day(utc_seconds: int) -> datetime.date:
    return datetime.datetime.fromtimestamp(
        utc_seconds, tz=zoneinfo.ZoneInfo(site_timezone())
    ).date()
