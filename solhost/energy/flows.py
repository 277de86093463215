"""Energy flows slot by slot, their daily and monthly totals, and the renewable share.

Pure: no Django. How the share is counted (grid import, export, community energy, the
two-pool battery) is told in :mod:`solhost.energy.analysis`.
"""

import datetime
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from solhost.energy.grid import Array, Grid, Index
from solhost.energy.site import Site


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


def renewable_share(non_renewable: float, load: float) -> float | None:
    """1 − non-renewable energy ÷ load energy, within 0 to 1; None when there was no load."""
    if load <= 0:
        return None
    return float(min(1.0, max(0.0, 1 - non_renewable / load)))


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


@dataclass(frozen=True)
class MonthlyShare:
    month: str
    renewable_share: float | None
    coverage: float


def monthly_shares(
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
                renewable_share=renewable_share(float(non_renewable[m]), float(load[m])),
                coverage=float(covered_slots[m] * step / month_seconds),
            )
        )
    return result
