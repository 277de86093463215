"""Energy flows slot by slot and their daily totals, on literal numbers."""

import numpy as np
import pytest

from solhost.energy.flows import DailyTotals, energy_flows, renewable_share
from solhost.energy.grid import Grid
from solhost.energy.tests.sites import make_site

SITE = make_site()


def grid_of(**energy):
    arrays = {name: np.asarray(values, float) for name, values in energy.items()}
    slots = len(next(iter(arrays.values())))
    return Grid(start=0, step=300, energy=arrays, soc=np.full(slots, np.nan))


@pytest.mark.parametrize(
    ("non_renewable", "load", "share"),
    [(25, 100, 0.75), (150, 100, 0.0), (0, 100, 1.0), (5, 0, None)],
)
def test_the_share_is_one_less_grid_over_load_within_0_and_1(non_renewable, load, share):
    assert renewable_share(non_renewable, load) == share


def test_community_energy_offsets_import_in_its_own_slot_only():
    flows = energy_flows(
        grid_of(load_wh=[100, 100], grid_import_wh=[40, 40], community_renewable_wh=[60, 10]), SITE
    )
    assert flows.non_renewable.tolist() == [0, 30]


def test_an_off_grid_site_uses_no_grid_energy_even_without_an_import_channel():
    flows = energy_flows(grid_of(load_wh=[100, 100]), make_site(grid_connected=False))
    assert flows.grid_used.tolist() == [0, 0]
    assert flows.covered.tolist() == [True, True]


def test_daily_totals_count_only_slots_with_load_and_grid_data():
    flows = energy_flows(
        grid_of(load_wh=[100, np.nan, 100, 50], grid_import_wh=[10, 10, np.nan, 5]), SITE
    )
    assert flows.covered.tolist() == [True, False, False, True]
    # Day 0 is slots 0 to 2, day 1 is slot 3.
    days = DailyTotals.of(flows, np.array([0, 3, 4]))
    assert days.covered_slots.tolist() == [1, 1]
    assert days.load.tolist() == [100, 50]
    assert days.non_renewable.tolist() == days.grid_used.tolist() == [10, 5]
