"""Outage survival: how long a site's battery carries the essential load through an outage.

Pure: no Django. :func:`outage_survival` simulates every start at once; its docstring says how.
"""

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from solhost.energy.grid import ENERGY_TOLERANCE_WH, Array, Grid, Index, by_time_of_day
from solhost.energy.pv import poor_midwinter_pv
from solhost.energy.site import Site


@dataclass(frozen=True)
class OutageResult:
    """Outages of ``hours`` simulated from ``starts`` recorded starts, and how they went."""

    hours: int
    starts: int
    survival_probability: float | None
    min_survival_hours: float | None
    strict_survival_probability: float | None
    strict_min_survival_hours: float | None
    essential_load_w: float
    measured_essential_load_w: float | None
    worst_start: str | None


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


def outage_net(site: Site, pv: Array, demand: float) -> Array:
    """The battery's energy change per slot with PV ``pv`` and the load ``demand`` (Wh)."""
    efficiency = site.one_way_battery_efficiency
    return np.where(pv >= demand, (pv - demand) * efficiency, (pv - demand) / efficiency)


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


def simulate_outages(
    grid: Grid,
    site: Site,
    *,
    hours: int,
    bad_day_factor: float,
    window: tuple[int, int],
    notes: list[str],
) -> OutageResult:
    """Outages of ``hours`` on a poor midwinter day, from every slot of ``window`` with a
    recorded state of charge before it, carrying the site's essential load.

    The load is the declared one, or the measured one when that is higher (which adds a note).
    """
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
        net = by_time_of_day(
            outage_net(site, poor_midwinter_pv(site, bad_day_factor, grid.step), demand),
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
        return OutageResult(
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
    return OutageResult(hours, 0, None, None, None, None, load_w, measured_w, None)
