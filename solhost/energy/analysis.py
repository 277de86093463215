"""Renewable share and outage survival from a site's telemetry: criteria S2.1, S2.2 and S3.

Pure and vectorised: canonical telemetry and a :class:`~solhost.energy.site.Site` in, plain
results out; no Django, no Python loop over intervals. Thresholds arrive as
:class:`Parameters`, read by the caller at the evaluated date.

How the numbers are made (docs/energy.md says the same for site operators):

- Rows are laid on a regular grid whose step divides every interval. A gap of up to two
  steps in a channel is bridged by linear interpolation; longer gaps stay missing.
- Renewable share = 1 − grid energy used ÷ load energy. Grid import is non-renewable,
  export never offsets it, and community energy offsets import only up to its metered
  generation in the same interval. Optionally (``two_pool``) the battery keeps grid-charged
  energy in its own pool, drawn first, and it counts as grid energy when discharged.
- Coverage is the share of the window with both load and grid data.
- The outage simulation starts at every interval with a recorded state of charge. See
  :func:`outage_survival` for how all starts are simulated at once.
"""

import datetime
import functools
import math
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pvlib

from solhost.energy.canonical import CHANNELS, SOC, Telemetry
from solhost.energy.site import Site

Array = npt.NDArray[np.float64]
Index = npt.NDArray[np.int64]

MET: Final = "met"
NOT_MET: Final = "not_met"
NEEDS_EVIDENCE: Final = "needs_evidence"
GRACE: Final = "grace"
NOT_APPLICABLE: Final = "not_applicable"

# PV losses besides the inverter (soiling, wiring, temperature, mismatch), as in PVWatts'
# default 14 % system losses.
PV_SYSTEM_DERATE: Final = 0.86
MODEL_STEP_S: Final = 300
MAX_BRIDGED_GAP: Final = 2
# Energy sums are floats; a battery "empty" by less than this is not empty.
ENERGY_TOLERANCE_WH: Final = 1e-6
# Keeps a badly aligned file from asking for a grid of one-second steps over a year.
MAX_GRID_SLOTS: Final = 5_000_000
EPOCH: Final = datetime.date(1970, 1, 1)


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
class MonthlyShare:
    month: str
    renewable_share: float | None
    coverage: float


@dataclass(frozen=True)
class OutageResult:
    hours: int
    starts: int
    survival_probability: float | None
    min_survival_hours: float | None
    strict_survival_probability: float | None
    strict_min_survival_hours: float | None
    essential_load_w: float
    measured_essential_load_w: float | None
    worst_start: str | None


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


@dataclass(frozen=True)
class Grid:
    """Telemetry on a regular grid: slot ``i`` covers ``[start + i*step, start + (i+1)*step)``.

    Energy arrays are Wh per slot, NaN where missing; ``soc`` is the state of charge at the
    end of each slot.
    """

    start: int
    step: int
    energy: dict[str, Array]
    soc: Array

    @property
    def size(self) -> int:
        return len(self.soc)

    def times(self) -> Index:
        return self.start + self.step * np.arange(self.size, dtype=np.int64)


def _bridge_short_gaps(values: Array, max_gap: int = MAX_BRIDGED_GAP) -> Array:
    """Linear interpolation across runs of at most ``max_gap`` missing slots."""
    missing = np.isnan(values)
    if not missing.any() or missing.all():
        return values
    positions = np.arange(len(values))
    before = np.maximum.accumulate(np.where(missing, -1, positions))
    after = np.minimum.accumulate(np.where(missing, len(values), positions)[::-1])[::-1]
    bridge = missing & (before >= 0) & (after < len(values)) & (after - before - 1 <= max_gap)
    if not bridge.any():
        return values
    lo, hi = before[bridge], after[bridge]
    weight = (positions[bridge] - lo) / (hi - lo)
    filled = values.copy()
    filled[bridge] = values[lo] + weight * (values[hi] - values[lo])
    return filled


def _gcd_of(values: Index) -> int:
    """The greatest common divisor of ``values``, cheaply when most are the same.

    The gcd of a sequence is the gcd of its first value and its successive differences, and
    telemetry mostly repeats one interval, so only the few differences that are not that
    common one need the (slow) gcd ufunc.
    """
    if not len(values):
        return 0
    steps = np.diff(values)
    common = int(steps[0]) if len(steps) else 0
    rare = steps[steps != common]
    return math.gcd(int(values[0]), common, int(np.gcd.reduce(rare)) if len(rare) else 0)


def build_grid(telemetry: Telemetry) -> Grid:
    """Lay one server's channels on one regular grid; longer rows spread evenly over their slots."""
    if not len(telemetry):
        raise ValueError("there is no telemetry to analyse")
    # Rows are sorted by server first, so one server means the first and last agree.
    if telemetry.server[0] != telemetry.server[-1]:
        raise ValueError(f"telemetry of one server is needed, got {telemetry.servers}")
    t0 = int(telemetry.ts_start.min())
    step = math.gcd(_gcd_of(telemetry.interval_s), _gcd_of(telemetry.ts_start - t0))
    end = int((telemetry.ts_start + telemetry.interval_s).max())
    size = (end - t0) // step
    if size > MAX_GRID_SLOTS:
        raise ValueError(
            f"the intervals are not aligned: a common grid would need {step} s steps over "
            f"{(end - t0) / 86400:.0f} days; align ts_start to whole intervals"
        )
    first = (telemetry.ts_start - t0) // step
    span = telemetry.interval_s // step
    energy: dict[str, Array] = {}
    soc = np.full(size, np.nan)
    # Rows are sorted by channel, so each channel is one contiguous run.
    bounds = np.searchsorted(telemetry.channel, np.arange(len(CHANNELS) + 1))
    for code, name in enumerate(CHANNELS):
        rows = slice(bounds[code], bounds[code + 1])
        if rows.start == rows.stop:
            continue
        slot, length, value = first[rows], span[rows], telemetry.value[rows]
        if name == SOC:
            soc[slot + length - 1] = value
            continue
        values = np.full(size, np.nan)
        if (length == 1).all():
            values[slot] = value
        else:
            offsets = np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
            values[np.repeat(slot, length) + offsets] = np.repeat(value / length, length)
        energy[name] = _bridge_short_gaps(values)
    return Grid(t0, step, energy, _bridge_short_gaps(soc))


def _local_midnights(first_day: datetime.date, days: int, timezone: str) -> Index:
    """UTC seconds of local midnight on ``days + 1`` consecutive days from ``first_day``."""
    midnights = pd.date_range(pd.Timestamp(first_day), periods=days + 1, freq="D").tz_localize(
        timezone, ambiguous=False, nonexistent="shift_forward"
    )
    return np.asarray(midnights.as_unit("s").asi8, np.int64)


def _local_midnights_of(days: Index, timezone: str) -> Index:
    """UTC seconds of local midnight starting each of ``days`` (days since the epoch)."""
    midnights = pd.DatetimeIndex((days * 86400).astype("datetime64[s]")).tz_localize(
        timezone, ambiguous=False, nonexistent="shift_forward"
    )
    return np.asarray(midnights.as_unit("s").asi8, np.int64)


def _wall_seconds(utc_seconds: Index, timezone: str) -> Index:
    """Local wall-clock seconds since the epoch, for each UTC second count."""
    utc = pd.DatetimeIndex(utc_seconds.astype("datetime64[s]")).tz_localize("UTC")
    return np.asarray(utc.tz_convert(timezone).tz_localize(None).as_unit("s").asi8, np.int64)


def _share(non_renewable: float, load: float) -> float | None:
    if load <= 0:
        return None
    return float(min(1.0, max(0.0, 1 - non_renewable / load)))


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share * 100:.1f} %"


@dataclass(frozen=True)
class EnergyFlows:
    """Per-slot flows used by the share calculation; NaN load or import means no data."""

    load: Array
    non_renewable: Array
    covered: npt.NDArray[np.bool_]
    grid_used: Array


def energy_flows(grid: Grid, site: Site, *, two_pool: bool = False) -> EnergyFlows:
    """Load, grid energy used and non-renewable energy used, slot by slot."""
    size = grid.size
    missing = np.full(size, np.nan)
    load = grid.energy.get("load_wh", missing)
    if site.grid_connected:
        grid_import = grid.energy.get("grid_import_wh", missing)
    else:
        grid_import = np.zeros(size)
    community = np.nan_to_num(grid.energy.get("community_renewable_wh", np.zeros(size)))
    grid_used = np.maximum(grid_import - community, 0)
    covered = np.isfinite(load) & np.isfinite(grid_used)
    if not two_pool:
        return EnergyFlows(load, grid_used, covered, grid_used)
    pv = np.nan_to_num(grid.energy.get("pv_wh", np.zeros(size)))
    charge = np.nan_to_num(grid.energy.get("batt_charge_wh", np.zeros(size)))
    discharge = np.nan_to_num(grid.energy.get("batt_discharge_wh", np.zeros(size)))
    used = np.nan_to_num(grid_used)
    load_from_grid = np.minimum(used, np.maximum(np.nan_to_num(load) - pv - discharge, 0))
    grid_to_battery = np.minimum(charge, np.maximum(used - load_from_grid, 0))
    # The grid pool is drawn first; it is a running sum floored at zero (Lindley's
    # recursion), which a cumulative sum minus its running minimum gives in one pass.
    walk = np.cumsum(grid_to_battery - discharge)
    pool = walk - np.minimum(np.minimum.accumulate(walk), 0)
    pool_before = np.concatenate(([0.0], pool[:-1]))
    grid_discharged = pool_before + grid_to_battery - pool
    non_renewable = np.minimum(load_from_grid + grid_discharged, np.nan_to_num(load))
    return EnergyFlows(load, np.where(covered, non_renewable, np.nan), covered, grid_used)


def pv_day_profile(site: Site, day: datetime.date, step_s: int) -> Array:
    """Clear-sky PV energy (Wh DC, after system losses) per ``step_s`` slot of a local day."""
    poa = _clear_sky_poa(
        site.latitude,
        site.longitude,
        site.timezone,
        site.pv_tilt_deg,
        site.pv_azimuth_deg,
        day,
        step_s,
    )
    return np.asarray(site.pv_kwp * poa * PV_SYSTEM_DERATE * step_s / 3600, np.float64)


@functools.lru_cache(maxsize=256)
def _clear_sky_poa(
    latitude: float,
    longitude: float,
    timezone: str,
    tilt_deg: float,
    azimuth_deg: float,
    day: datetime.date,
    step_s: int,
) -> Array:
    """Clear-sky plane-of-array irradiance (W/m²) at the middle of each slot of a local day.

    pvlib costs milliseconds a call whatever the size, so the few days a site needs are
    kept (read-only) per location and orientation; ``_clear_sky_poa.cache_clear()`` drops them.
    """
    slots = 86400 // step_s
    times = pd.date_range(pd.Timestamp(day), periods=slots, freq=f"{step_s}s").tz_localize(
        timezone, ambiguous=False, nonexistent="shift_forward"
    ) + pd.Timedelta(seconds=step_s / 2)
    location = pvlib.location.Location(latitude, longitude, tz=timezone)
    # pvlib still calls a pandas accessor that pandas has deprecated; nothing to fix here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.Pandas4Warning)
        # One solar position serves both the clear-sky model and the transposition.
        sun = location.get_solarposition(times)
        clear = location.get_clearsky(times, solar_position=sun)
        # pvlib measures azimuth clockwise from north, as SITE.json does. Plain arrays spare
        # pandas index alignment; the arithmetic is the same.
        irradiance = pvlib.irradiance.get_total_irradiance(
            tilt_deg,
            azimuth_deg,
            sun["apparent_zenith"].to_numpy(np.float64),
            sun["azimuth"].to_numpy(np.float64),
            clear["dni"].to_numpy(np.float64),
            clear["ghi"].to_numpy(np.float64),
            clear["dhi"].to_numpy(np.float64),
        )
    poa = np.nan_to_num(np.asarray(irradiance["poa_global"], np.float64)).clip(min=0)
    poa.flags.writeable = False
    return poa


def _solstice(site: Site, *, summer: bool) -> datetime.date:
    southern = site.latitude < 0
    december = summer == southern
    return datetime.date(2026, 12 if december else 6, 21)


def _first_below(levels: list[Array], starts: Index, thresholds: Array, horizon: int) -> Index:
    """For each start, how many slots from it stay at or above its threshold (at most horizon).

    ``levels[k][x]`` is the minimum of the walk over ``[x, x + 2**k)``; a binary-lifting
    search then jumps over whole blocks that stay above the threshold, for every start at
    once: log2(horizon) vectorised steps instead of one per slot.
    """
    position = starts.copy()
    limit = starts + horizon
    size = len(levels[0])
    if not size:
        return position - starts
    for k in range(len(levels) - 1, -1, -1):
        jump = 1 << k
        block = np.take(levels[k], position, mode="clip")
        ahead = (block >= thresholds) & (position <= limit - jump)
        position += jump * ahead
    return position - starts


def _range_minima(walk: Array, horizon: int) -> list[Array]:
    levels = [walk]
    size = len(walk)
    k = 1
    while (1 << k) <= horizon:
        previous = levels[-1]
        half = min(1 << (k - 1), size)
        # Past the end the walk counts as +inf, so the last ``half`` minima are unchanged.
        level = previous.copy()
        np.minimum(previous[: size - half], previous[half:], out=level[: size - half])
        levels.append(level)
        k += 1
    return levels


def outage_survival(
    net_wh: Array, starts: Index, start_energy_wh: Array, usable_wh: float, horizon: int
) -> Index:
    """Slots survived (up to ``horizon``) by a battery starting at each of ``starts``.

    ``net_wh[j]`` is the battery's energy change in slot ``j`` if it were neither full nor
    empty (charging after losses is positive, drain negative). The battery tops out at
    ``usable_wh``. With prefix sums P, the energy after slot j for a start i is
    ``min(E0 + P[j+1] - P[i], usable + P[j+1] - max(P[i+1..j+1]))``, so it runs out either
    when the walk falls E0 below its start, or when it falls ``usable_wh`` below any later
    peak. Both are "first slot below a threshold" searches over the same walk.
    """
    prefix = np.concatenate(([0.0], np.cumsum(net_wh)))
    walk = prefix[1:]
    levels = _range_minima(walk, horizon)
    survive_start = _first_below(
        levels, starts, prefix[starts] - start_energy_wh - ENERGY_TOLERANCE_WH, horizon
    )
    every_slot = np.arange(len(walk), dtype=np.int64)
    from_full = _first_below(levels, every_slot, walk - usable_wh - ENERGY_TOLERANCE_WH, horizon)
    empties_from_full = np.where(from_full < horizon, every_slot + from_full, len(walk) + horizon)
    earliest = np.minimum.accumulate(empties_from_full[::-1])[::-1]
    survive_peak = earliest[starts] - starts
    return np.minimum(np.minimum(survive_start, survive_peak), horizon)


def analyse(
    telemetry: Telemetry,
    site: Site,
    parameters: Parameters,
    *,
    at: datetime.date | None = None,
    two_pool: bool = False,
) -> Analysis:
    """Evaluate S2.1, S2.2 and S3 for one site on day ``at`` (default: the last data day)."""
    grid = build_grid(telemetry)
    times = grid.times()
    notes: list[str] = []
    if at is None:
        last = _wall_seconds(np.array([times[-1] + grid.step - 1]), site.timezone)[0]
        at = EPOCH + datetime.timedelta(days=int(last // 86400))
    window_days = parameters.renewable_window_days
    first_day = at - datetime.timedelta(days=window_days - 1)
    # Months are reported whole from the month the window starts in.
    month_start = first_day.replace(day=1)
    lead_days = (first_day - month_start).days
    midnights = _local_midnights(month_start, lead_days + window_days, site.timezone)
    window_start, window_end = int(midnights[lead_days]), int(midnights[-1])

    flows = energy_flows(grid, site, two_pool=two_pool)
    in_window = (times >= window_start) & (times < window_end)
    covered = flows.covered & in_window
    coverage = float(covered.sum() * grid.step / (window_end - window_start))
    load = np.where(covered, flows.load, 0.0)
    non_renewable = np.where(covered, flows.non_renewable, 0.0)
    share = _share(float(non_renewable.sum()), float(load.sum()))

    wall = _wall_seconds(times, site.timezone)
    wall_day = wall // 86400
    monthly = _monthly(wall_day, flows, times, midnights[0], window_end, grid.step, site)

    s2_2 = _s2_2(share, coverage, parameters, at)
    s2_1 = _s2_1(grid, site, flows, in_window, wall_day, midnights, lead_days, at, parameters)
    window_slots = (window_end - window_start) // grid.step
    outage, s3 = _s3(grid, site, parameters, in_window, wall, at, window_slots, notes)
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


def _monthly(
    wall_day: Index,
    flows: EnergyFlows,
    times: Index,
    start: int,
    end: int,
    step: int,
    site: Site,
) -> list[MonthlyShare]:
    inside = (times >= start) & (times < end)
    if not inside.any():
        return []
    # Month of each day in the span, looked up per slot: a few hundred conversions, not one
    # per slot.
    lowest = int(wall_day.min())
    day_month = (
        np.arange(lowest, int(wall_day.max()) + 1)
        .astype("datetime64[D]")
        .astype("datetime64[M]")
        .astype(np.int64)
    )
    month_of = day_month[wall_day - lowest]
    first_month = int(day_month[0])
    present = np.zeros(int(day_month[-1]) - first_month + 1, np.bool_)
    present[month_of[inside] - first_month] = True
    months = np.flatnonzero(present) + first_month
    month_number = np.cumsum(present) - 1
    use = inside & flows.covered
    counted = month_number[month_of[use] - first_month]
    load = np.bincount(counted, flows.load[use], len(months))
    non_renewable = np.bincount(counted, flows.non_renewable[use], len(months))
    covered_slots = np.bincount(counted, minlength=len(months))
    month_days = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    next_days = (months + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    month_starts = _local_midnights_of(month_days, site.timezone)
    month_ends = _local_midnights_of(next_days, site.timezone)
    result = []
    for m, month in enumerate(months):
        month_seconds = min(int(month_ends[m]), end) - max(int(month_starts[m]), start)
        result.append(
            MonthlyShare(
                month=str(np.datetime64(int(month), "M")),
                renewable_share=_share(float(non_renewable[m]), float(load[m])),
                coverage=float(covered_slots[m] * step / month_seconds)
                if month_seconds > 0
                else 0.0,
            )
        )
    return result


def _s2_2(
    share: float | None, coverage: float, parameters: Parameters, at: datetime.date
) -> CriterionResult:
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


def _s2_1(
    grid: Grid,
    site: Site,
    flows: EnergyFlows,
    in_window: npt.NDArray[np.bool_],
    wall_day: Index,
    midnights: Index,
    lead_days: int,
    at: datetime.date,
    parameters: Parameters,
) -> CriterionResult:
    days = parameters.renewable_window_days
    first_day = at - datetime.timedelta(days=days - 1)
    day = wall_day - (first_day - EPOCH).days
    use = in_window & flows.covered & (day >= 0) & (day < days)
    slots_needed = np.diff(midnights[lead_days:]) // grid.step
    covered_slots = np.bincount(day[use], minlength=days)
    load = np.bincount(day[use], flows.load[use], days)
    grid_used = np.bincount(day[use], flows.grid_used[use], days)
    clean = (covered_slots == slots_needed) & (load > 0) & (grid_used <= ENERGY_TOLERANCE_WH)
    if clean.any():
        last = int(np.flatnonzero(clean)[-1])
        date = first_day + datetime.timedelta(days=last)
        hours = slots_needed[last] * grid.step / 3600
        return CriterionResult(
            MET,
            f"On {date} ({hours:g} local hours) the site served {load[last]:.0f} Wh of load "
            f"with no grid energy; {int(clean.sum())} such days in the {days} days to {at}.",
            day=date.isoformat(),
        )
    covered_days = covered_slots.sum() * grid.step / 86400
    if covered_days <= 0 or load.sum() <= 0:
        return CriterionResult(
            NEEDS_EVIDENCE,
            f"No load was recorded in the {days} days to {at}, so neither a grid-free day "
            "nor a clear-day model can be checked.",
        )
    mean_load_w = float(load.sum() / (covered_days * 24))
    return _s2_1_modelled(site, mean_load_w)


def _s2_1_modelled(site: Site, mean_load_w: float) -> CriterionResult:
    day = _solstice(site, summer=True)
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


def _s3(
    grid: Grid,
    site: Site,
    parameters: Parameters,
    in_window: npt.NDArray[np.bool_],
    wall: Index,
    at: datetime.date,
    window_slots: int,
    notes: list[str],
) -> tuple[OutageResult, CriterionResult]:
    hours = parameters.outage_hours
    horizon = math.ceil(hours * 3600 / grid.step)
    slot_hours = grid.step / 3600
    essential = grid.energy.get("essential_load_wh")
    measured_w = None
    if essential is not None and np.isfinite(essential[in_window]).any():
        measured_w = float(np.nanmean(essential[in_window]) / slot_hours)
    load_w = site.essential_load_w
    if measured_w is not None and measured_w > load_w:
        notes.append(
            f"Measured essential load {measured_w:.1f} W is above the declared "
            f"{site.essential_load_w:g} W; the outage is simulated with the measured value."
        )
        load_w = measured_w

    soc_before = np.concatenate(([np.nan], grid.soc[:-1]))
    can_start = in_window & np.isfinite(soc_before)
    starts = np.flatnonzero(can_start).astype(np.int64)
    start_coverage = len(starts) / window_slots
    capacity = site.battery_capacity_wh
    usable = site.usable_battery_wh
    start_energy = np.clip(
        capacity * (soc_before[starts] - site.battery_min_soc_pct) / 100, 0, usable
    )
    efficiency = site.one_way_battery_efficiency
    demand = load_w * slot_hours / (site.inverter_efficiency_pct / 100)

    if len(starts):
        strict = np.minimum(
            np.floor((start_energy * efficiency + ENERGY_TOLERANCE_WH) / demand)
            if demand > 0
            else np.full(len(starts), horizon),
            horizon,
        ).astype(np.int64)
        extended = np.concatenate((wall, wall[-1] + grid.step * np.arange(1, horizon + 1)))
        profile = (
            pv_day_profile(site, _solstice(site, summer=False), grid.step)
            * parameters.bad_day_factor
        )
        pv = profile[(extended % 86400) // grid.step % len(profile)]
        net = np.where(pv >= demand, (pv - demand) * efficiency, (pv - demand) / efficiency)
        survived = outage_survival(net, starts, start_energy, usable, horizon)
        worst = int(np.argmin(survived))
        worst_start = (
            pd.Timestamp(int(grid.start + starts[worst] * grid.step), unit="s", tz="UTC")
            .tz_convert(site.timezone)
            .isoformat()
        )
        outage = OutageResult(
            hours=hours,
            starts=len(starts),
            survival_probability=float((survived >= horizon).mean()),
            min_survival_hours=round(float(survived.min() * slot_hours), 3),
            strict_survival_probability=float((strict >= horizon).mean()),
            strict_min_survival_hours=round(float(strict.min() * slot_hours), 3),
            essential_load_w=load_w,
            measured_essential_load_w=measured_w,
            worst_start=worst_start,
        )
    else:
        outage = OutageResult(hours, 0, None, None, None, None, load_w, measured_w, None)

    grace_ends = site.operation_start + datetime.timedelta(days=parameters.outage_grace_days)
    in_grace = at < grace_ends
    passes = outage.survival_probability == 1.0
    if passes and start_coverage >= parameters.min_coverage:
        return outage, CriterionResult(
            MET,
            f"From all {outage.starts} recorded starts the battery carries {load_w:.1f} W "
            f"through a {hours} h outage on a poor midwinter day "
            f"(shortest {outage.min_survival_hours:g} h; with no PV "
            f"{(outage.strict_survival_probability or 0) * 100:.1f} % of starts survive).",
        )
    if in_grace:
        return outage, CriterionResult(
            GRACE,
            f"Operation started {site.operation_start}; the {hours} h outage must be met by "
            f"{grace_ends}. " + _s3_detail(outage, start_coverage),
        )
    if start_coverage < parameters.min_coverage or not len(starts):
        return outage, CriterionResult(
            NEEDS_EVIDENCE,
            f"State of charge is recorded for {start_coverage * 100:.1f} % of the window, "
            f"below the {parameters.min_coverage * 100:.0f} % needed to simulate outages.",
        )
    return outage, CriterionResult(NOT_MET, _s3_detail(outage, start_coverage))


def _s3_detail(outage: OutageResult, start_coverage: float) -> str:
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
    wall = _wall_seconds(start_utc + grid.step * np.arange(horizon, dtype=np.int64), site.timezone)
    profile = (
        pv_day_profile(site, _solstice(site, summer=False), grid.step) * parameters.bad_day_factor
    )
    pv = profile[(wall % 86400) // grid.step % len(profile)]
    net = np.where(pv >= demand, (pv - demand) * efficiency, (pv - demand) / efficiency)
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
    """Per local day from ``first_day`` to ``last_day``, the energy of each mix channel."""
    if not len(telemetry):
        return []
    wall_day = _wall_seconds(telemetry.ts_start, site.timezone) // 86400
    first, last = (first_day - EPOCH).days, (last_day - EPOCH).days
    inside = (wall_day >= first) & (wall_day <= last)
    days = last - first + 1
    if days <= 0:
        return []
    sums: dict[str, Array] = {}
    for name in MIX_CHANNELS:
        rows = inside & (telemetry.channel == CHANNELS.index(name))
        index = wall_day[rows] - first
        total = np.bincount(index, telemetry.value[rows], days)
        seen = np.bincount(index, minlength=days) > 0
        sums[name] = np.where(seen, total, np.nan)
    present = np.logical_or.reduce([np.isfinite(v) for v in sums.values()])
    return [
        DailyMix(
            (first_day + datetime.timedelta(days=int(d))).isoformat(),
            *(None if np.isnan(sums[n][d]) else round(float(sums[n][d]), 1) for n in MIX_CHANNELS),
        )
        for d in np.flatnonzero(present)
    ]
