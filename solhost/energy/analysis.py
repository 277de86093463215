"""Renewable share and outage survival from a site's telemetry: criteria S2.1, S2.2 and S3.

Pure and vectorised: canonical telemetry and a :class:`~solhost.energy.site.Site` in, plain
results out; no Django, no Python loop over intervals. Thresholds arrive as
:class:`Parameters`, read by the caller at the evaluated date.

How the numbers are made (docs/energy.md says the same for site operators):

- Rows are laid on a regular grid whose step divides every interval. A gap of up to two
  steps in a channel is bridged by linear interpolation; longer gaps stay missing.
- Renewable share = 1 − grid energy used ÷ load energy. Grid import is non-renewable,
  export never offsets it, and community energy offsets import only up to its metered
  generation in the same interval. With the site's ``two_pool`` battery accounting the
  battery keeps grid-charged energy in its own pool, drawn first, and it counts as grid
  energy when discharged.
- Coverage is the share of the window with both load and grid data.
- Local days and months are runs of grid slots between local midnights, found once from a
  few hundred midnights rather than by converting every slot's time.
- The outage simulation starts at every interval with a recorded state of charge. See
  :func:`~solhost.energy.outage.outage_survival` for how all starts are simulated at once.

Each step has its own module: :mod:`~solhost.energy.grid` lays the channels on the grid,
:mod:`~solhost.energy.flows` totals the flows by day and month, :mod:`~solhost.energy.pv`
models clear-sky PV and :mod:`~solhost.energy.outage` simulates outages. This module runs
them and judges the criteria.
"""

import datetime
import math
import zoneinfo
from dataclasses import asdict, dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from solhost.energy.canonical import CHANNELS, Telemetry
from solhost.energy.flows import (
    DailyTotals,
    MonthlyShare,
    energy_flows,
    monthly_shares,
    renewable_share,
)
from solhost.energy.grid import (
    DAY_S,
    ENERGY_TOLERANCE_WH,
    Array,
    Index,
    build_grid,
    by_time_of_day,
    local_midnights,
    slot_bounds,
)
from solhost.energy.outage import OutageResult, outage_net, simulate_outages
from solhost.energy.pv import poor_midwinter_pv, pv_day_profile, solstice
from solhost.energy.site import TWO_POOL, Site

MET: Final = "met"
NOT_MET: Final = "not_met"
NEEDS_EVIDENCE: Final = "needs_evidence"
GRACE: Final = "grace"
NOT_APPLICABLE: Final = "not_applicable"
MODEL_STEP_S: Final = 300


@dataclass(frozen=True)
class Parameters:
    """The network's parameters in force at the evaluated date, plus modelling choices."""

    renewable_min_share_bp: int
    renewable_window_days: int
    outage_hours: int
    outage_grace_days: int
    bad_day_factor: float
    min_coverage: float


@dataclass(frozen=True)
class CriterionResult:
    status: str
    reason: str
    # S2.1 only: the grid-free day found, or the modelled clear day that passed.
    day: str | None = None


@dataclass(frozen=True)
class Analysis:
    window_start: str
    window_end: str
    renewable_share_365d: float | None
    monthly: list[MonthlyShare]
    coverage: float
    s2_1: CriterionResult
    s2_2: CriterionResult
    s3: CriterionResult
    outage: OutageResult
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def analyse(
    telemetry: Telemetry,
    site: Site,
    parameters: Parameters,
    *,
    at: datetime.date | None = None,
) -> Analysis:
    """Evaluate S2.1, S2.2 and S3 for one site on day ``at`` (default: the last data day)."""
    grid = build_grid(telemetry)
    notes: list[str] = []
    if at is None:
        last = datetime.datetime.fromtimestamp(grid.end - 1, zoneinfo.ZoneInfo(site.timezone))
        at = last.date()
    window_days = parameters.renewable_window_days
    first_day = at - datetime.timedelta(days=window_days - 1)
    # Months are reported whole from the month the window starts in.
    month_start = first_day.replace(day=1)
    lead_days = (first_day - month_start).days
    midnights = local_midnights(month_start, lead_days + window_days, site.timezone)
    day_bounds = slot_bounds(midnights, grid)
    window_start, window_end = int(midnights[lead_days]), int(midnights[-1])

    two_pool = site.battery_accounting == TWO_POOL
    if two_pool:
        notes.append(
            "Two-pool battery accounting: grid energy stored in the battery counts as grid "
            "energy when it is discharged."
        )
    days = DailyTotals.of(energy_flows(grid, site, two_pool=two_pool), day_bounds)
    in_window = slice(lead_days, None)
    covered = int(days.covered_slots[in_window].sum())
    coverage = covered * grid.step / (window_end - window_start)
    share = renewable_share(
        float(days.non_renewable[in_window].sum()), float(days.load[in_window].sum())
    )
    monthly = monthly_shares(days, midnights, day_bounds, month_start, grid.step)

    s2_2 = _renewable_share_result(share, coverage, parameters, at)
    s2_1 = _grid_free_day_result(site, days, midnights, lead_days, grid.step, at, parameters)
    window_slots = (window_end - window_start) // grid.step
    window = (int(day_bounds[lead_days]), int(day_bounds[-1]))
    outage = simulate_outages(
        grid,
        site,
        hours=parameters.outage_hours,
        bad_day_factor=parameters.bad_day_factor,
        window=window,
        notes=notes,
    )
    s3 = _outage_fallback_result(outage, outage.starts / window_slots, site, parameters, at)
    return Analysis(
        window_start=first_day.isoformat(),
        window_end=at.isoformat(),
        renewable_share_365d=share,
        monthly=monthly,
        coverage=coverage,
        s2_1=s2_1,
        s2_2=s2_2,
        s3=s3,
        outage=outage,
        notes=notes,
    )


def _renewable_share_result(
    share: float | None, coverage: float, parameters: Parameters, at: datetime.date
) -> CriterionResult:
    """S2.2 80 % renewable on average: the window's share, once telemetry covers enough of it."""
    days = parameters.renewable_window_days
    needed = parameters.renewable_min_share_bp / 10000
    if coverage < parameters.min_coverage:
        return CriterionResult(
            NEEDS_EVIDENCE,
            f"Telemetry covers {coverage * 100:.1f} % of the {days} days to {at}, "
            f"below the {parameters.min_coverage * 100:.0f} % needed to judge the share.",
        )
    if share is None:
        return CriterionResult(
            NEEDS_EVIDENCE, f"No load energy was recorded in the {days} days to {at}."
        )
    verdict = MET if share >= needed else NOT_MET
    comparison = "at least" if verdict == MET else "below"
    return CriterionResult(
        verdict,
        f"Renewable share over the {days} days to {at} is {_percent(share)}, "
        f"{comparison} the {needed * 100:g} % required ({coverage * 100:.1f} % coverage).",
    )


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share * 100:.1f} %"


def _grid_free_day_result(
    site: Site,
    days: DailyTotals,
    midnights: Index,
    lead_days: int,
    step: int,
    at: datetime.date,
    parameters: Parameters,
) -> CriterionResult:
    """S2.1 100 % renewable in optimal conditions: the last whole day with no grid energy used.

    Without one, a modelled clear summer day decides (:func:`_modelled_clear_day_result`).
    """
    window_days = parameters.renewable_window_days
    first_day = at - datetime.timedelta(days=window_days - 1)
    slots_needed = np.diff(midnights[lead_days:]) // step
    covered_slots = days.covered_slots[lead_days:]
    load = days.load[lead_days:]
    grid_used = days.grid_used[lead_days:]
    clean = (covered_slots == slots_needed) & (load > 0) & (grid_used <= ENERGY_TOLERANCE_WH)
    if clean.any():
        last = int(np.flatnonzero(clean)[-1])
        date = first_day + datetime.timedelta(days=last)
        hours = slots_needed[last] * step / 3600
        return CriterionResult(
            MET,
            f"On {date} ({hours:g} local hours) the site served {load[last]:.0f} Wh of load "
            f"with no grid energy; {int(clean.sum())} such days in the {window_days} days "
            f"to {at}.",
            day=date.isoformat(),
        )
    covered_days = covered_slots.sum() * step / DAY_S
    if covered_days <= 0 or load.sum() <= 0:
        return CriterionResult(
            NEEDS_EVIDENCE,
            f"No load was recorded in the {window_days} days to {at}, so neither a grid-free "
            "day nor a clear-day model can be checked.",
        )
    mean_load_w = float(load.sum() / (covered_days * 24))
    return _modelled_clear_day_result(site, mean_load_w)


def _modelled_clear_day_result(site: Site, mean_load_w: float) -> CriterionResult:
    """S2.1 on a modelled clear summer solstice: PV and battery carry the mean load all day."""
    day = solstice(site, summer=True)
    pv = pv_day_profile(site, day, MODEL_STEP_S)
    demand = mean_load_w * MODEL_STEP_S / 3600 / (site.inverter_efficiency_pct / 100)
    efficiency = site.one_way_battery_efficiency
    surplus = float(np.maximum(pv - demand, 0).sum()) * efficiency
    deficit = float(np.maximum(demand - pv, 0).sum()) / efficiency
    covers_day = surplus >= deficit
    covers_night = deficit <= site.usable_battery_wh
    status = MET if covers_day and covers_night else NOT_MET
    return CriterionResult(
        status,
        f"No whole grid-free day was recorded; on a modelled clear {day:%d %B} the PV gives "
        f"{float(pv.sum()):.0f} Wh for an average load of {mean_load_w:.1f} W: "
        f"{surplus:.0f} Wh can be stored against {deficit:.0f} Wh drawn while the sun is low, "
        f"from a battery with {site.usable_battery_wh:.0f} Wh usable.",
        day=day.isoformat() if status == MET else None,
    )


def _outage_fallback_result(
    outage: OutageResult,
    start_coverage: float,
    site: Site,
    parameters: Parameters,
    at: datetime.date,
) -> CriterionResult:
    """S3 Outage fallback: every recorded start survives the outage, or grace, or why not."""
    hours = outage.hours
    grace_ends = site.operation_start + datetime.timedelta(days=parameters.outage_grace_days)
    in_grace = at < grace_ends
    passes = outage.survival_probability == 1.0
    if passes and start_coverage >= parameters.min_coverage:
        return CriterionResult(
            MET,
            f"From all {outage.starts} recorded starts the battery carries "
            f"{outage.essential_load_w:.1f} W through a {hours} h outage on a poor midwinter day "
            f"(shortest {outage.min_survival_hours:g} h; with no PV "
            f"{(outage.strict_survival_probability or 0) * 100:.1f} % of starts survive).",
        )
    if in_grace:
        return CriterionResult(
            GRACE,
            f"Operation started {site.operation_start}; the {hours} h outage must be met by "
            f"{grace_ends}. " + _outage_summary(outage, start_coverage),
        )
    if start_coverage < parameters.min_coverage or not outage.starts:
        return CriterionResult(
            NEEDS_EVIDENCE,
            f"State of charge is recorded for {start_coverage * 100:.1f} % of the window, "
            f"below the {parameters.min_coverage * 100:.0f} % needed to simulate outages.",
        )
    return CriterionResult(NOT_MET, _outage_summary(outage, start_coverage))


def _outage_summary(outage: OutageResult, start_coverage: float) -> str:
    """How the simulated outages went, for an S3 verdict of grace or not met."""
    if outage.survival_probability is None:
        return "No state of charge is recorded yet, so no outage could be simulated."
    return (
        f"{outage.survival_probability * 100:.1f} % of {outage.starts} starts survive "
        f"{outage.hours} h on {outage.essential_load_w:.1f} W; the shortest lasts "
        f"{outage.min_survival_hours:g} h (state of charge known for "
        f"{start_coverage * 100:.1f} % of the window)."
    )


@dataclass(frozen=True)
class TracePoint:
    """The battery ``hour`` hours into a simulated outage, energy above the minimum charge."""

    hour: int
    battery_wh: float
    soc_pct: float
    no_pv_battery_wh: float
    pv_wh: float


def outage_trace(
    telemetry: Telemetry, site: Site, parameters: Parameters, outage: OutageResult
) -> list[TracePoint]:
    """Hour by hour, the battery through the outage that starts at ``outage.worst_start``.

    The same simulation as the S3 check (poor midwinter PV, the essential load the check
    used), drawn for one start so people can see how the battery runs down; the strict case
    with no PV is drawn beside it. Empty when no outage could be simulated.
    """
    if outage.worst_start is None:
        return []
    grid = build_grid(telemetry)
    start_utc = int(pd.Timestamp(outage.worst_start).timestamp())
    slot = (start_utc - grid.start) // grid.step
    soc_before = grid.soc[slot - 1] if slot > 0 else np.nan
    if not np.isfinite(soc_before):
        return []
    horizon = math.ceil(outage.hours * 3600 / grid.step)
    slot_hours = grid.step / 3600
    capacity = site.battery_capacity_wh
    usable = site.usable_battery_wh
    start_energy = float(
        np.clip(capacity * (soc_before - site.battery_min_soc_pct) / 100, 0, usable)
    )
    efficiency = site.one_way_battery_efficiency
    demand = outage.essential_load_w * slot_hours / (site.inverter_efficiency_pct / 100)
    pv = by_time_of_day(
        poor_midwinter_pv(site, parameters.bad_day_factor, grid.step),
        start_utc,
        grid.step,
        horizon,
        site.timezone,
    )
    net = outage_net(site, pv, demand)
    walk = np.cumsum(net)
    energy = np.minimum(start_energy + walk, usable + walk - np.maximum.accumulate(walk).clip(0))
    # Once empty the server is down: the battery stays empty for the rest of the outage.
    energy = np.where(np.minimum.accumulate(energy) < -ENERGY_TOLERANCE_WH, 0.0, energy)
    strict = np.maximum(start_energy - demand / efficiency * np.arange(1, horizon + 1), 0.0)
    per_hour = round(1 / slot_hours) if slot_hours < 1 else 1
    ends = np.arange(per_hour - 1, horizon, per_hour)
    pv_hourly = np.add.reduceat(pv, np.arange(0, horizon, per_hour)) if horizon else pv
    points = [
        TracePoint(0, round(start_energy, 1), _soc(site, start_energy), round(start_energy, 1), 0.0)
    ]
    for hour, end in enumerate(ends, start=1):
        points.append(
            TracePoint(
                hour,
                round(float(max(energy[end], 0.0)), 1),
                _soc(site, float(max(energy[end], 0.0))),
                round(float(strict[end]), 1),
                round(float(pv_hourly[hour - 1]), 1),
            )
        )
    return points


def _soc(site: Site, energy_wh: float) -> float:
    if site.battery_capacity_wh <= 0:
        return 0.0
    return round(site.battery_min_soc_pct + energy_wh / site.battery_capacity_wh * 100, 1)


MIX_CHANNELS: Final = ("pv_wh", "community_renewable_wh", "grid_import_wh", "load_wh")


@dataclass(frozen=True)
class DailyMix:
    """Energy by source on one local day, Wh; None where the channel has no data that day."""

    day: str
    pv_wh: float | None
    community_renewable_wh: float | None
    grid_import_wh: float | None
    load_wh: float | None


def daily_mix(
    telemetry: Telemetry, site: Site, first_day: datetime.date, last_day: datetime.date
) -> list[DailyMix]:
    """Per local day from ``first_day`` to ``last_day``, the energy of each mix channel.

    Rows count on the local day they start; ``telemetry`` is one server's.
    """
    days = (last_day - first_day).days + 1
    if not len(telemetry) or days <= 0:
        return []
    if telemetry.server[0] != telemetry.server[-1]:
        raise ValueError(f"telemetry of one server is needed, got {telemetry.servers}")
    midnights = local_midnights(first_day, days, site.timezone)
    # Rows are sorted by channel and then start, so each day of a channel is a run of rows.
    codes = np.arange(len(CHANNELS) + 1, dtype=telemetry.channel.dtype)
    channel_bounds = np.searchsorted(telemetry.channel, codes)
    sums: dict[str, Array] = {}
    for name in MIX_CHANNELS:
        code = CHANNELS.index(name)
        rows = slice(channel_bounds[code], channel_bounds[code + 1])
        day_rows = np.searchsorted(telemetry.ts_start[rows], midnights)
        rows_per_day = np.diff(day_rows)
        total = np.bincount(
            np.repeat(np.arange(days), rows_per_day),
            telemetry.value[rows][day_rows[0] : day_rows[-1]],
            days,
        )
        sums[name] = np.where(rows_per_day > 0, total, np.nan)
    present = np.logical_or.reduce([np.isfinite(v) for v in sums.values()])
    return [
        DailyMix(
            (first_day + datetime.timedelta(days=int(d))).isoformat(),
            *(None if np.isnan(sums[n][d]) else round(float(sums[n][d]), 1) for n in MIX_CHANNELS),
        )
        for d in np.flatnonzero(present)
    ]
