"""Telemetry laid on one regular grid of slots, and local days found on it. Pure: no Django.

Rows are laid on a regular grid whose step divides every interval; a row longer than a
step spreads its energy evenly over its slots. A gap of up to two steps in a channel is
bridged by linear interpolation; longer gaps stay missing. Local days are runs of grid
slots between local midnights, found once from a few hundred midnights rather than by
converting every slot's time.
"""

import datetime
import functools
import math
import zoneinfo
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from solhost.energy.canonical import CHANNELS, SOC, Telemetry

Array = npt.NDArray[np.float64]
Index = npt.NDArray[np.int64]

MAX_BRIDGED_GAP: Final = 2
# Energy sums are floats; a battery "empty" by less than this is not empty.
ENERGY_TOLERANCE_WH: Final = 1e-6
# Keeps a badly aligned file from asking for a grid of one-second steps over a year.
MAX_GRID_SLOTS: Final = 5_000_000
DAY_S: Final = 86400


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


def local_midnights(first_day: datetime.date, days: int, timezone: str) -> Index:
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


def by_time_of_day(profile: Array, start: int, step: int, count: int, timezone: str) -> Array:
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


def slot_bounds(boundaries: Index, grid: Grid) -> Index:
    """For each UTC time, the first slot starting at or after it (clipped to the grid)."""
    return np.clip(-((grid.start - boundaries) // grid.step), 0, grid.size)
