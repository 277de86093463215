"""Made-up but plausible telemetry for the demo region. Pure: no Django.

Hourly readings for a small solar-and-battery site: PV shaped by pvlib's clear sky for the
site and day, thinned by a cloudiness drawn per day; a server load with a daytime rise; a
battery that charges from surplus and lets the grid in when it reaches its minimum. The
same site, days and seed always give the same rows, so the demo looks the same each time.
"""

import datetime
import hashlib
from typing import Final

import numpy as np
import pandas as pd

from solhost.energy.canonical import Telemetry, telemetry_from_arrays
from solhost.energy.pv import pv_day_profile
from solhost.energy.site import Site

STEP_S: Final = 3600
# Every demo series starts here, so any window of it is the same numbers whenever it is made.
ANCHOR: Final = datetime.date(2025, 7, 7)


def _rng(*parts: object) -> np.random.Generator:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def synthetic_telemetry(
    site: Site, *, first_day: datetime.date, days: int, seed: str = "", load_w: float = 0.0
) -> Telemetry:
    """``days`` local days of hourly telemetry from ``first_day`` (on or after ANCHOR).

    The battery is simulated from ANCHOR and each day's weather and load are drawn from the
    day itself, so overlapping windows agree on every reading. ``load_w`` is the average
    server load (default: twice the essential load, at least 20 W).
    """
    if first_day < ANCHOR:
        raise ValueError(f"demo telemetry starts on {ANCHOR} at the earliest")
    # One day more than the window, so a window ending in daylight-saving time is whole.
    total_days = (first_day - ANCHOR).days + days + 1
    dates = [ANCHOR + datetime.timedelta(days=d) for d in range(total_days)]
    # Clear-sky PV changes slowly through the year: one pvlib day per month is plenty.
    monthly = {
        (d.year, d.month): pv_day_profile(site, d.replace(day=15), STEP_S)
        for d in dates
        if d.day == 1 or d == dates[0]
    }
    average = load_w or max(2 * site.essential_load_w, 20.0)
    hour = np.arange(24)
    daytime = (hour >= 9) & (hour < 18)
    pv_days, load_days = [], []
    for date in dates:
        rng = _rng(seed, date)
        profile = monthly[date.year, date.month]
        pv_days.append(profile[:24] * rng.uniform(0.2, 1.0))
        load_days.append(average * (0.85 + 0.3 * daytime) + rng.normal(0, 1, 24))
    pv = np.concatenate(pv_days)
    load = np.clip(np.concatenate(load_days), 1, None)
    slots = len(pv)
    essential = np.full(slots, site.essential_load_w * 0.9)
    efficiency = site.one_way_battery_efficiency
    capacity = site.battery_capacity_wh
    floor = capacity * site.battery_min_soc_pct / 100
    stored = capacity * 0.7
    channels: dict[str, np.ndarray] = {
        name: np.zeros(slots)
        for name in (
            "batt_charge_wh",
            "batt_discharge_wh",
            "grid_import_wh",
            "grid_export_wh",
            "soc_pct",
        )
    }
    net = pv - load
    # Made-up data is not what is measured, so a plain loop keeps the physics readable.
    for i in range(slots):
        if net[i] >= 0:
            charge = min(net[i], max(capacity - stored, 0) / efficiency)
            stored += charge * efficiency
            channels["batt_charge_wh"][i] = charge
            channels["grid_export_wh"][i] = net[i] - charge
        else:
            discharge = min(-net[i], max(stored - floor, 0) * efficiency)
            stored -= discharge / efficiency
            channels["batt_discharge_wh"][i] = discharge
            channels["grid_import_wh"][i] = -net[i] - discharge
        channels["soc_pct"][i] = stored / capacity * 100 if capacity else 0
    channels.update(pv_wh=pv, load_wh=load, essential_load_wh=essential)
    if not site.grid_connected:
        del channels["grid_import_wh"], channels["grid_export_wh"]
    # Local days are 23 or 25 hours at daylight-saving changes: slots are laid on real time
    # from the anchor's midnight, and the window is cut at local midnights.
    anchor = int(pd.Timestamp(ANCHOR).tz_localize(site.timezone).timestamp())
    times = anchor + STEP_S * np.arange(slots, dtype=np.int64)
    start = int(pd.Timestamp(first_day).tz_localize(site.timezone).timestamp())
    end = int(
        pd.Timestamp(first_day + datetime.timedelta(days=days))
        .tz_localize(site.timezone)
        .timestamp()
    )
    keep = (times >= start) & (times < end)
    kept = int(keep.sum())
    names = [name for name in channels for _ in range(kept)]
    starts = np.tile(times[keep], len(channels))
    values = np.round(np.concatenate([v[keep] for v in channels.values()]), 3)
    return telemetry_from_arrays(
        channel=names,
        ts_start=starts.tolist(),
        interval_s=[STEP_S] * len(names),
        value=values.tolist(),
        line=range(1, len(names) + 1),
        server=site.server or "",
    )
