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
  :func:`outage_survival` for how all starts are simulated at once.
"""

import datetime
import functools
import math
import warnings
import zoneinfo
from dataclasses import asdict, dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pvlib

from solhost.energy.canonical import CHANNELS, SOC, Telemetry
from solhost.energy.site import TWO_POOL, Site

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
DAY_S: Final = 86400


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
    end of each slot. The arrays may share memory with the telemetry and are then read-only.
    """

    start: int
    step: int
    energy: dict[str, Array]
    soc: Array

    @property
    def size(self) -> int:
        return len(self.soc)

    @property
    def end(self) -> int:
        """UTC seconds at the end of the last slot."""
        return self.start + self.size * self.step


def _bridge_short_gaps(values: Array, max_gap: int = MAX_BRIDGED_GAP) -> Array:
    """Linear interpolation across runs of at most ``max_gap`` missing slots."""
    # Any missing value makes the sum NaN: one fast pass settles the usual complete channel.
    if not math.isnan(values.sum()):
        return values
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


@dataclass(frozen=True)
class _ChannelRows:
    """One channel's rows, sorted by start and never overlapping (canonical.py checks both)."""

    name: str
    ts_start: Index
    interval_s: Index
    value: Array

    @functools.cached_property
    def unbroken(self) -> bool:
        """Whether the rows share one interval and follow each other without a gap.

        Sorted rows that do not overlap are back to back exactly when they span their
        count times the interval, so the starts need no checking one by one.
        """
        interval = int(self.interval_s[0])
        span = int(self.ts_start[-1]) - int(self.ts_start[0])
        return span == (len(self.value) - 1) * interval and bool(
            (self.interval_s == interval).all()
        )

    @property
    def end(self) -> int:
        if self.unbroken:
            return int(self.ts_start[-1] + self.interval_s[-1])
        return int((self.ts_start + self.interval_s).max())

    def step_divisor(self, t0: int) -> int:
        """The largest grid step from ``t0`` on which every row starts and ends."""
        if self.unbroken:
            return math.gcd(int(self.interval_s[0]), int(self.ts_start[0]) - t0)
        return math.gcd(_gcd_of(self.interval_s), _gcd_of(self.ts_start - t0))

    def on_grid(self, t0: int, step: int, size: int) -> Array:
        """Energy per slot (NaN where missing), or for the state of charge its end-of-slot value."""
        is_soc = self.name == SOC
        if self.unbroken:
            first = (int(self.ts_start[0]) - t0) // step
            span = int(self.interval_s[0]) // step
            count = len(self.value)
            if span == 1 and first == 0 and count == size:
                values = self.value.view()
                values.flags.writeable = False
                return values
            values = np.full(size, np.nan)
            if is_soc:
                values[first + span - 1 : first + span * count : span] = self.value
            else:
                # Each row's energy is spread evenly over its slots.
                spread = (self.value / span)[:, None]
                values[first : first + span * count].reshape(count, span)[:] = spread
            return values
        slot = (self.ts_start - t0) // step
        length = self.interval_s // step
        values = np.full(size, np.nan)
        if is_soc:
            values[slot + length - 1] = self.value
        elif (length == 1).all():
            values[slot] = self.value
        else:
            offsets = np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
            values[np.repeat(slot, length) + offsets] = np.repeat(self.value / length, length)
        return values


def build_grid(telemetry: Telemetry) -> Grid:
    """Lay one server's channels on one regular grid; longer rows spread evenly over their slots."""
    if not len(telemetry):
        raise ValueError("there is no telemetry to analyse")
    # Rows are sorted by server first, so one server means the first and last agree.
    if telemetry.server[0] != telemetry.server[-1]:
        raise ValueError(f"telemetry of one server is needed, got {telemetry.servers}")
    # Rows are sorted by channel, so each channel is one contiguous run.
    codes = np.arange(len(CHANNELS) + 1, dtype=telemetry.channel.dtype)
    bounds = np.searchsorted(telemetry.channel, codes)
    channels = [
        _ChannelRows(
            name,
            telemetry.ts_start[bounds[code] : bounds[code + 1]],
            telemetry.interval_s[bounds[code] : bounds[code + 1]],
            telemetry.value[bounds[code] : bounds[code + 1]],
        )
        for code, name in enumerate(CHANNELS)
        if bounds[code] < bounds[code + 1]
    ]
    t0 = min(int(rows.ts_start[0]) for rows in channels)
    step = math.gcd(*(rows.step_divisor(t0) for rows in channels))
    end = max(rows.end for rows in channels)
    size = (end - t0) // step
    if size > MAX_GRID_SLOTS:
        raise ValueError(
            f"the intervals are not aligned: a common grid would need {step} s steps over "
            f"{(end - t0) / DAY_S:.0f} days; align ts_start to whole intervals"
        )
    energy = {rows.name: _bridge_short_gaps(rows.on_grid(t0, step, size)) for rows in channels}
    soc = energy.pop(SOC, None)
    return Grid(t0, step, energy, np.full(size, np.nan) if soc is None else soc)


def _local_midnights(first_day: datetime.date, days: int, timezone: str) -> Index:
    """UTC seconds of local midnight on ``days + 1`` consecutive days from ``first_day``."""
    midnights = pd.date_range(pd.Timestamp(first_day), periods=days + 1, freq="D").tz_localize(
        timezone, ambiguous=False, nonexistent="shift_forward"
    )
    return np.asarray(midnights.as_unit("s").asi8, np.int64)


def _wall_seconds(utc_seconds: Index, timezone: str) -> Index:
    """Local wall-clock seconds since the epoch, for each UTC second count."""
    utc = pd.DatetimeIndex(utc_seconds.astype("datetime64[s]")).tz_localize("UTC")
    return np.asarray(utc.tz_convert(timezone).tz_localize(None).as_unit("s").asi8, np.int64)


def _offset_runs(start: int, step: int, count: int, timezone: str) -> list[tuple[int, int, int]]:
    """``(first, stop, offset)``: slots ``[first, stop)`` from ``start`` share one UTC offset.

    The offset is read about once a day, and the slot where it changes (daylight saving) is
    found by bisection, so a year costs a few hundred conversions, not one per slot. No time
    zone changes its offset and back within one day.
    """
    if count <= 0:
        return []
    zone = zoneinfo.ZoneInfo(timezone)

    def offset_of(slot: int) -> int:
        offset = datetime.datetime.fromtimestamp(start + step * slot, zone).utcoffset()
        assert offset is not None  # an aware time always has one
        return int(offset.total_seconds())

    samples = np.unique(np.append(np.arange(0, count, max(1, DAY_S // step)), count - 1))
    sample_times = start + step * samples
    offsets = _wall_seconds(sample_times, timezone) - sample_times
    firsts, run_offsets = [0], [int(offsets[0])]
    for k in np.flatnonzero(np.diff(offsets)):
        unchanged, changed = int(samples[k]), int(samples[k + 1])
        final = offset_of(changed)
        while run_offsets[-1] != final and unchanged < changed:
            # The first slot after ``unchanged`` whose offset differs from the run's.
            low, high = unchanged, changed
            while high - low > 1:
                middle = (low + high) // 2
                if offset_of(middle) == run_offsets[-1]:
                    low = middle
                else:
                    high = middle
            firsts.append(high)
            run_offsets.append(offset_of(high))
            unchanged = high
    stops = [*firsts[1:], count]
    return list(zip(firsts, stops, run_offsets, strict=True))


def _by_time_of_day(profile: Array, start: int, step: int, count: int, timezone: str) -> Array:
    """``profile`` (one value per ``step`` of a local day) for ``count`` slots from ``start``.

    Each slot takes the value for its local time of day, as a clock on the wall shows it.
    """
    values = np.empty(count)
    day_slots = len(profile)
    for first, stop, offset in _offset_runs(start, step, count, timezone):
        wall = start + first * step + offset
        if day_slots * step == DAY_S:
            # Within a run the time of day steps through the profile, wrapping at midnight:
            # whole days are the profile from the run's first slot, then a part of one.
            day = np.roll(profile, -(wall % DAY_S // step))
            whole = (stop - first) // day_slots * day_slots
            values[first : first + whole].reshape(-1, day_slots)[:] = day
            values[first + whole : stop] = day[: stop - first - whole]
        else:
            walls = wall + step * np.arange(stop - first, dtype=np.int64)
            values[first:stop] = profile[walls % DAY_S // step % day_slots]
    return values


def _slot_bounds(boundaries: Index, grid: Grid) -> Index:
    """For each UTC time, the first slot starting at or after it (clipped to the grid)."""
    return np.clip(-((grid.start - boundaries) // grid.step), 0, grid.size)


def _segment_sums(
    values: npt.NDArray[Any], bounds: Index, dtype: type[np.generic] = np.float64
) -> npt.NDArray[Any]:
    """Sum of ``values[bounds[k]:bounds[k + 1]]`` for each ``k``; 0 for an empty segment."""
    sums: npt.NDArray[Any] = np.zeros(len(bounds) - 1, dtype)
    filled = np.flatnonzero(bounds[1:] > bounds[:-1])
    if len(filled):
        # Between two filled segments the empty ones have no width, so each filled
        # segment ends where the next one starts.
        sums[filled] = np.add.reduceat(
            values[bounds[0] : bounds[-1]], bounds[filled] - bounds[0], dtype=dtype
        )
    return sums


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
    recorded_load = grid.energy.get("load_wh")
    load = np.full(size, np.nan) if recorded_load is None else recorded_load
    if not site.grid_connected:
        grid_used = np.zeros(size)
    elif "grid_import_wh" not in grid.energy:
        grid_used = np.full(size, np.nan)
    elif "community_renewable_wh" in grid.energy:
        community = np.nan_to_num(grid.energy["community_renewable_wh"])
        grid_used = np.maximum(grid.energy["grid_import_wh"] - community, 0)
    else:
        # Energy channels are never negative (canonical.py refuses it), nor is a bridged gap.
        grid_used = grid.energy["grid_import_wh"]
    covered = np.isfinite(load) & np.isfinite(grid_used)
    if not two_pool:
        return EnergyFlows(load, grid_used, covered, grid_used)
    non_renewable = _two_pool_non_renewable(grid, load, grid_used)
    if not covered.all():
        non_renewable[~covered] = np.nan
    return EnergyFlows(load, non_renewable, covered, grid_used)


def _zero_where_missing(grid: Grid, name: str) -> Array:
    """A channel with its missing slots as zero; all zero when it was not recorded."""
    values = grid.energy.get(name)
    if values is None:
        return np.zeros(grid.size)
    return np.nan_to_num(values) if np.isnan(values).any() else values


def _two_pool_non_renewable(grid: Grid, load: Array, grid_used: Array) -> Array:
    """Grid energy reaching the load per slot, directly or through the battery's grid pool.

    Per slot the grid serves what PV and the battery leave of the load, the rest of the
    import up to the metered charge goes into the grid pool, and discharge empties the grid
    pool first. Year-long arrays, so each step is written in place.
    """
    load = np.nan_to_num(load)
    used = np.nan_to_num(grid_used)
    discharge = _zero_where_missing(grid, "batt_discharge_wh")
    # min(used, max(load - pv - discharge, 0))
    load_from_grid = load - _zero_where_missing(grid, "pv_wh")
    load_from_grid -= discharge
    np.maximum(load_from_grid, 0, out=load_from_grid)
    np.minimum(used, load_from_grid, out=load_from_grid)
    # min(charge, max(used - load_from_grid, 0))
    grid_to_battery = used - load_from_grid
    np.maximum(grid_to_battery, 0, out=grid_to_battery)
    np.minimum(_zero_where_missing(grid, "batt_charge_wh"), grid_to_battery, out=grid_to_battery)
    # The grid pool is a running sum floored at zero (Lindley's recursion), which a
    # cumulative sum minus its running minimum (while below zero) gives in one pass.
    walk = grid_to_battery - discharge
    np.cumsum(walk, out=walk)
    lowest = np.minimum.accumulate(walk)
    np.minimum(lowest, 0, out=lowest)
    pool = np.subtract(walk, lowest, out=lowest)
    # What the pool gave: the pool before the slot (empty before the first), plus what went
    # in, less the pool after.
    grid_discharged = np.empty(grid.size)
    grid_discharged[0] = grid_to_battery[0]
    np.add(pool[:-1], grid_to_battery[1:], out=grid_discharged[1:])
    grid_discharged -= pool
    # min(load_from_grid + grid_discharged, load)
    grid_discharged += load_from_grid
    return np.minimum(grid_discharged, load, out=grid_discharged)


@dataclass(frozen=True)
class DailyTotals:
    """Per local day: slots with load and grid data, and the load, non-renewable and grid
    energy (Wh) in those slots."""

    covered_slots: Index
    load: Array
    non_renewable: Array
    grid_used: Array

    @classmethod
    def of(cls, flows: EnergyFlows, bounds: Index) -> "DailyTotals":
        """Totals over the days whose slots are ``[bounds[d], bounds[d + 1])``."""
        span = slice(int(bounds[0]), int(bounds[-1]))
        covered = flows.covered[span]
        local = bounds - bounds[0]

        def sums(values: Array) -> Array:
            if covered.all():
                return _segment_sums(values[span], local)
            return _segment_sums(np.where(covered, values[span], 0.0), local)

        load = sums(flows.load)
        non_renewable = sums(flows.non_renewable)
        grid_used = (
            non_renewable if flows.grid_used is flows.non_renewable else sums(flows.grid_used)
        )
        return cls(_segment_sums(covered, local, np.int64), load, non_renewable, grid_used)


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
def _altitude(latitude: float, longitude: float) -> float:
    """pvlib's altitude for the location (m), as ``pvlib.location.Location`` looks it up."""
    return float(pvlib.location.lookup_altitude(latitude, longitude))


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

    The same steps and defaults as pvlib's ``Location.get_clearsky`` (Ineichen with the
    Linke turbidity climatology, SPA solar position), with plain arrays wherever pvlib takes
    them: Location's pandas frames cost more than the model. The result is exactly
    Location's (test_analysis checks it). The few days a site needs are kept (read-only) per
    location and orientation; :func:`forget_clear_sky_days` drops them.
    """
    slots = DAY_S // step_s
    times = pd.date_range(pd.Timestamp(day), periods=slots, freq=f"{step_s}s").tz_localize(
        timezone, ambiguous=False, nonexistent="shift_forward"
    ) + pd.Timedelta(seconds=step_s / 2)
    altitude = _altitude(latitude, longitude)
    pressure = pvlib.atmosphere.alt2pres(altitude)
    # pvlib still calls a pandas accessor that pandas has deprecated; nothing to fix here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.Pandas4Warning)
        sun = pvlib.solarposition.spa_python(times, latitude, longitude, altitude, pressure, 12)
        zenith = sun["apparent_zenith"].to_numpy(np.float64)
        turbidity = pvlib.clearsky.lookup_linke_turbidity(times, latitude, longitude)
    # Location passes the times, from which pvlib takes the day of year in UTC; the day
    # numbers themselves spare it a pass through pandas.
    utc_day = (np.asarray(times.as_unit("us").asi8) // (DAY_S * 10**6)).astype("datetime64[D]")
    day_of_year = (utc_day - utc_day.astype("datetime64[Y]")).astype(np.int64) + 1
    # At night the model divides by the zenith's zero cosine; the NaN that comes out is made
    # zero below. pandas, which Location works on, does not warn about it, so neither do we.
    with np.errstate(divide="ignore", invalid="ignore"):
        clear = pvlib.clearsky.ineichen(
            zenith,
            pvlib.atmosphere.get_absolute_airmass(
                pvlib.atmosphere.get_relative_airmass(zenith), pressure
            ),
            turbidity.to_numpy(np.float64),
            altitude=altitude,
            dni_extra=pvlib.irradiance.get_extra_radiation(day_of_year),
        )
    # pvlib measures azimuth clockwise from north, as SITE.json does.
    irradiance = pvlib.irradiance.get_total_irradiance(
        tilt_deg,
        azimuth_deg,
        zenith,
        sun["azimuth"].to_numpy(np.float64),
        clear["dni"],
        clear["ghi"],
        clear["dhi"],
    )
    poa = np.nan_to_num(np.asarray(irradiance["poa_global"], np.float64)).clip(min=0)
    poa.flags.writeable = False
    return poa


def forget_clear_sky_days() -> None:
    """Forget every clear-sky day and location looked up so far."""
    _clear_sky_poa.cache_clear()
    _altitude.cache_clear()


def _solstice(site: Site, *, summer: bool) -> datetime.date:
    southern = site.latitude < 0
    december = summer == southern
    return datetime.date(2026, 12 if december else 6, 21)


def _range_minima(walk: Array, horizon: int) -> list[Array]:
    """Level ``k`` holds the minimum of ``walk`` over ``[x, x + 2**k)`` (cut at the end), up
    to the largest power of two within ``horizon``. Level 0 is the walk itself; the others
    share one allocation."""
    size = len(walk)
    table = np.empty((max(horizon, 1).bit_length() - 1, size))
    levels = [walk, *table]
    for k in range(1, len(levels)):
        half = min(1 << (k - 1), size)
        # Past the end the walk counts as +inf, so the last ``half`` minima are unchanged.
        np.minimum(levels[k - 1][: size - half], levels[k - 1][half:], out=levels[k][: size - half])
        levels[k][size - half :] = levels[k - 1][size - half :]
    return levels


def _window_below(
    levels: list[Array], horizon: int, thresholds: Array, at: Index | None = None
) -> npt.NDArray[np.bool_]:
    """Whether the walk drops below the threshold somewhere in ``[x, x + horizon)`` (cut at
    the walk's end), for each ``x`` in ``at`` or, without it, for every slot.

    Two blocks of 2**top slots, one at x and one ending at x + horizon, cover the window.
    """
    top = levels[-1]
    shift = horizon - (1 << (len(levels) - 1))
    if at is None:
        below = top < thresholds
        size = len(top)
        # A second block starting past the end adds nothing: the first reaches the end.
        if 0 < shift < size:
            below[: size - shift] |= top[shift:] < thresholds[: size - shift]
        return below
    below = np.take(top, at) < thresholds
    if shift > 0:
        # Past the end the second block is clipped to the last slot, which is in the window.
        below |= np.take(top, at + shift, mode="clip") < thresholds
    return below


def _first_below(levels: list[Array], starts: Index, thresholds: Array, horizon: int) -> Index:
    """For each start, how many slots from it stay at or above its threshold (at most horizon).

    ``levels[k][x]`` is the minimum of the walk over ``[x, x + 2**k)``; a binary-lifting
    search then jumps over whole blocks that stay above the threshold, for every start at
    once: log2(horizon) vectorised steps instead of one per slot.
    """
    position = starts.copy()
    limit = starts + horizon
    for k in range(len(levels) - 1, -1, -1):
        jump = 1 << k
        block = np.take(levels[k], position, mode="clip")
        ahead = (block >= thresholds) & (position <= limit - jump)
        position += jump * ahead
    return position - starts


def outage_survival(
    net_wh: Array, starts: Index, start_energy_wh: Array, usable_wh: float, horizon: int
) -> Index:
    """Slots survived (up to ``horizon``) by a battery starting at each of ``starts``.

    ``net_wh[j]`` is the battery's energy change in slot ``j`` if it were neither full nor
    empty (charging after losses is positive, drain negative). The battery tops out at
    ``usable_wh``. With prefix sums P, the energy after slot j for a start i is
    ``min(E0 + P[j+1] - P[i], usable + P[j+1] - max(P[i+1..j+1]))``, so it runs out either
    when the walk falls E0 below its start, or when it falls ``usable_wh`` below any later
    peak. Both are "first slot below a threshold" searches over the same walk. The minimum
    of the walk over each whole window says at once which searches end early; only those
    are searched, the rest survive the horizon.
    """
    size = len(net_wh)
    if not size or not len(starts):
        return np.full(len(starts), horizon, np.int64)
    prefix = np.empty(size + 1)
    prefix[0] = 0.0
    walk = np.cumsum(net_wh, out=prefix[1:])
    levels = _range_minima(walk, horizon)
    survived = _survival_from_start(levels, prefix, starts, start_energy_wh, horizon)
    peaks, empties = _emptying_from_full(levels, usable_wh, horizon)
    if len(peaks):
        # A start runs out from full at the earliest emptying of any peak at or after it.
        earliest = np.minimum.accumulate(empties[::-1])[::-1]
        following = np.searchsorted(peaks, starts)
        from_full = earliest[np.minimum(following, len(peaks) - 1)] - starts
        np.minimum(survived, np.where(following < len(peaks), from_full, horizon), out=survived)
    return survived


# The arrays below are as long as a year of slots, and fresh memory costs more than the
# arithmetic on it: results are written in place where the formula allows, and each step is
# a function so that its temporary arrays are freed for the next one.


def _survival_from_start(
    levels: list[Array], prefix: Array, starts: Index, start_energy_wh: Array, horizon: int
) -> Index:
    """Slots until the walk falls ``start_energy_wh`` below its level at each start."""
    thresholds = prefix[starts]
    thresholds -= start_energy_wh
    thresholds -= ENERGY_TOLERANCE_WH
    survived = np.full(len(starts), horizon, np.int64)
    failing = np.flatnonzero(_window_below(levels, horizon, thresholds, starts))
    survived[failing] = _first_below(levels, starts[failing], thresholds[failing], horizon)
    return survived


def _emptying_from_full(levels: list[Array], usable_wh: float, horizon: int) -> tuple[Index, Index]:
    """The slots ``x`` from which a full battery runs out within the horizon, and where."""
    full = levels[0] - usable_wh
    full -= ENERGY_TOLERANCE_WH
    peaks = np.flatnonzero(_window_below(levels, horizon, full))
    return peaks, peaks + _first_below(levels, peaks, full[peaks], horizon)


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
    midnights = _local_midnights(month_start, lead_days + window_days, site.timezone)
    day_bounds = _slot_bounds(midnights, grid)
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
    share = _share(float(days.non_renewable[in_window].sum()), float(days.load[in_window].sum()))
    monthly = _monthly(days, midnights, day_bounds, month_start, grid.step)

    s2_2 = _renewable_share_result(share, coverage, parameters, at)
    s2_1 = _grid_free_day_result(site, days, midnights, lead_days, grid.step, at, parameters)
    window_slots = (window_end - window_start) // grid.step
    window = (int(day_bounds[lead_days]), int(day_bounds[-1]))
    outage, s3 = _outage_fallback_result(grid, site, parameters, window, at, window_slots, notes)
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
    days: DailyTotals,
    midnights: Index,
    day_bounds: Index,
    month_start: datetime.date,
    step: int,
) -> list[MonthlyShare]:
    """Each local month from ``month_start`` that the grid reaches, from the daily totals."""
    firsts = [month_start]
    last_day = month_start + datetime.timedelta(days=len(days.load) - 1)
    while (following := (firsts[-1] + datetime.timedelta(days=32)).replace(day=1)) <= last_day:
        firsts.append(following)
    edges = [(first - month_start).days for first in firsts] + [len(days.load)]
    load = np.add.reduceat(days.load, edges[:-1])
    non_renewable = np.add.reduceat(days.non_renewable, edges[:-1])
    covered_slots = np.add.reduceat(days.covered_slots, edges[:-1])
    result = []
    for m, first in enumerate(firsts):
        # A month is listed when the grid has any slot in it, covered or not.
        if day_bounds[edges[m]] == day_bounds[edges[m + 1]]:
            continue
        month_seconds = int(midnights[edges[m + 1]] - midnights[edges[m]])
        result.append(
            MonthlyShare(
                month=f"{first:%Y-%m}",
                renewable_share=_share(float(non_renewable[m]), float(load[m])),
                coverage=float(covered_slots[m] * step / month_seconds),
            )
        )
    return result


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


def _outage_net(site: Site, pv: Array, demand: float) -> Array:
    """The battery's energy change per slot with PV ``pv`` and the load ``demand`` (Wh)."""
    efficiency = site.one_way_battery_efficiency
    return np.where(pv >= demand, (pv - demand) * efficiency, (pv - demand) / efficiency)


def _poor_midwinter_pv(site: Site, parameters: Parameters, step: int) -> Array:
    """PV per ``step`` slot of a local day: clear-sky midwinter scaled by the bad-day factor."""
    return pv_day_profile(site, _solstice(site, summer=False), step) * parameters.bad_day_factor


def _finite_mean(values: Array) -> float | None:
    """The mean of the finite values (as ``np.nanmean``), or None when there are none."""
    finite = np.isfinite(values)
    count = int(np.count_nonzero(finite))
    if not count:
        return None
    total = values.sum() if count == len(values) else np.where(finite, values, 0.0).sum()
    return float(total / count)


def _strict_survival(
    start_energy_wh: Array, efficiency: float, demand_wh: float, horizon: int
) -> tuple[float, float]:
    """With no PV: the fewest slots any start lasts (at most ``horizon``), and the share of
    starts that last the horizon."""
    if demand_wh <= 0:
        return horizon, 1.0
    # The slots a battery discharged from each start carries the load:
    # floor((energy * efficiency + tolerance) / demand), computed in place.
    carried = start_energy_wh * efficiency
    carried += ENERGY_TOLERANCE_WH
    carried /= demand_wh
    shortest = min(float(np.floor(carried.min())), horizon)
    return shortest, float(np.count_nonzero(carried >= horizon)) / len(carried)


def _outage_fallback_result(
    grid: Grid,
    site: Site,
    parameters: Parameters,
    window: tuple[int, int],
    at: datetime.date,
    window_slots: int,
    notes: list[str],
) -> tuple[OutageResult, CriterionResult]:
    """S3 Outage fallback: outages simulated from every recorded start, and the verdict."""
    hours = parameters.outage_hours
    horizon = math.ceil(hours * 3600 / grid.step)
    slot_hours = grid.step / 3600
    first, stop = window
    essential = grid.energy.get("essential_load_wh")
    measured_w = None
    if essential is not None:
        mean_wh = _finite_mean(essential[first:stop])
        measured_w = None if mean_wh is None else mean_wh / slot_hours
    load_w = site.essential_load_w
    if measured_w is not None and measured_w > load_w:
        notes.append(
            f"Measured essential load {measured_w:.1f} W is above the declared "
            f"{site.essential_load_w:g} W; the outage is simulated with the measured value."
        )
        load_w = measured_w

    # A start needs the state of charge at the end of the slot before it; starts count from
    # the window's first slot.
    before = grid.soc[max(first - 1, 0) : max(stop - 1, 0)]
    starts = np.flatnonzero(np.isfinite(before))
    soc_before = before[starts]
    if first == 0:
        starts += 1
    start_coverage = len(starts) / window_slots
    capacity = site.battery_capacity_wh
    usable = site.usable_battery_wh
    # Year-long arrays: computed in place, in the same order as the formula
    # clip(capacity * (soc - min) / 100, 0, usable).
    start_energy = soc_before
    start_energy -= site.battery_min_soc_pct
    np.multiply(capacity, start_energy, out=start_energy)
    start_energy /= 100
    np.clip(start_energy, 0, usable, out=start_energy)
    efficiency = site.one_way_battery_efficiency
    demand = load_w * slot_hours / (site.inverter_efficiency_pct / 100)

    if len(starts):
        strict_min, strict_survives = _strict_survival(start_energy, efficiency, demand, horizon)
        # PV depends only on the local time of day: the day's net flow is worked out once
        # and laid along the window and the horizon after it.
        net = _by_time_of_day(
            _outage_net(site, _poor_midwinter_pv(site, parameters, grid.step), demand),
            grid.start + first * grid.step,
            grid.step,
            stop - first + horizon,
            site.timezone,
        )
        survived = outage_survival(net, starts, start_energy, usable, horizon)
        worst = int(np.argmin(survived))
        worst_start = (
            pd.Timestamp(int(grid.start + (first + starts[worst]) * grid.step), unit="s", tz="UTC")
            .tz_convert(site.timezone)
            .isoformat()
        )
        outage = OutageResult(
            hours=hours,
            starts=len(starts),
            survival_probability=float((survived >= horizon).mean()),
            min_survival_hours=round(float(survived.min() * slot_hours), 3),
            strict_survival_probability=strict_survives,
            strict_min_survival_hours=round(float(strict_min * slot_hours), 3),
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
            f"{grace_ends}. " + _outage_summary(outage, start_coverage),
        )
    if start_coverage < parameters.min_coverage or not len(starts):
        return outage, CriterionResult(
            NEEDS_EVIDENCE,
            f"State of charge is recorded for {start_coverage * 100:.1f} % of the window, "
            f"below the {parameters.min_coverage * 100:.0f} % needed to simulate outages.",
        )
    return outage, CriterionResult(NOT_MET, _outage_summary(outage, start_coverage))


def _outage_summary(outage: OutageResult, start_coverage: float) -> str:
    """How the simulated outages went, for an S3 verdict that is not met."""
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
    pv = _by_time_of_day(
        _poor_midwinter_pv(site, parameters, grid.step),
        start_utc,
        grid.step,
        horizon,
        site.timezone,
    )
    net = _outage_net(site, pv, demand)
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
    midnights = _local_midnights(first_day, days, site.timezone)
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
