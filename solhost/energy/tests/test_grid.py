"""Channels laid on one grid, and profiles laid by local time of day."""

import numpy as np
import pandas as pd
import pytest

from solhost.energy.canonical import telemetry_from_arrays
from solhost.energy.grid import build_grid, by_time_of_day
from solhost.energy.tests.sites import MELBOURNE


@pytest.mark.parametrize("timezone", [MELBOURNE, "Australia/Lord_Howe", "Europe/London"])
@pytest.mark.parametrize("step", [300, 3600, 420])
def test_time_of_day_profiles_follow_the_clock_through_daylight_saving(timezone, step):
    # A year from mid-2025 holds both of each zone's changes; Lord Howe's is half an hour.
    start = int(pd.Timestamp("2025-06-01 00:07", tz=timezone).timestamp())
    count = 366 * 86400 // step
    profile = np.arange(86400 // step, dtype=float)
    laid = by_time_of_day(profile, start, step, count, timezone)
    utc = pd.to_datetime(start + step * np.arange(count), unit="s", utc=True)
    local = utc.tz_convert(timezone)
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    assert laid.tolist() == profile[np.asarray(seconds) // step % len(profile)].tolist()


def test_rows_of_several_lengths_share_one_grid():
    rows = {
        # Quarter-hour PV rows spread over three 5-minute slots; state of charge at the end.
        "pv_wh": (900, [30.0, 60.0]),
        "soc_pct": (900, [50.0, 40.0]),
        "load_wh": (300, [10.0] * 6),
    }
    first = int(pd.Timestamp("2026-01-05", tz=MELBOURNE).timestamp())
    names, starts, lengths, values = [], [], [], []
    for name, (length, per_row) in rows.items():
        names += [name] * len(per_row)
        starts += [first + length * k for k in range(len(per_row))]
        lengths += [length] * len(per_row)
        values += per_row
    # A load row missing from the middle: the channel is no longer one unbroken run.
    del names[-3], starts[-3], lengths[-3], values[-3]
    grid = build_grid(
        telemetry_from_arrays(
            channel=names,
            ts_start=starts,
            interval_s=lengths,
            value=values,
            line=range(len(names)),
        )
    )
    assert (grid.start, grid.step, grid.size) == (first, 300, 6)
    assert grid.energy["pv_wh"].tolist() == [10, 10, 10, 20, 20, 20]
    # One missing slot is bridged.
    assert grid.energy["load_wh"].tolist() == [10] * 6
    # The state of charge is known at the end of slots 2 and 5, and bridged between.
    assert np.isnan(grid.soc[:2]).all()
    assert grid.soc[2:].tolist() == pytest.approx([50, 140 / 3, 130 / 3, 40])
