"""Outage survival, vectorised, against a step-by-step simulation; outages from a grid."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solhost.energy.grid import Grid
from solhost.energy.outage import outage_survival, simulate_outages
from solhost.energy.tests.sites import MELBOURNE, make_site


def simulate(net, start, energy, usable, horizon):
    for step in range(horizon):
        if start + step >= len(net):
            return horizon
        energy = min(energy + net[start + step], usable)
        if energy < -1e-6:
            return step
    return horizon


@settings(max_examples=200, deadline=None)
@given(
    net=st.lists(st.floats(-50, 50, allow_nan=False), min_size=1, max_size=60),
    usable=st.floats(0, 300),
    fill=st.floats(0, 1),
    horizon=st.integers(1, 40),
)
def test_vectorised_outage_survival_matches_a_step_by_step_simulation(net, usable, fill, horizon):
    net_array = np.array(net)
    starts = np.arange(len(net), dtype=np.int64)
    energy = np.full(len(net), usable * fill)
    survived = outage_survival(net_array, starts, energy, usable, horizon)
    expected = [simulate(net, s, usable * fill, usable, horizon) for s in starts]
    assert survived.tolist() == expected


@settings(max_examples=200, deadline=None)
@given(
    net=st.lists(st.floats(-50, 50, allow_nan=False), min_size=1, max_size=120),
    usable=st.floats(0, 300),
    data=st.data(),
    horizon=st.integers(1, 100),
)
def test_outage_survival_from_some_starts_at_their_own_charge_matches_step_by_step(
    net, usable, data, horizon
):
    starts = sorted(data.draw(st.sets(st.integers(0, len(net) - 1), min_size=1)))
    fills = data.draw(st.lists(st.floats(0, 1), min_size=len(starts), max_size=len(starts)))
    energy = np.array(fills) * usable
    survived = outage_survival(
        np.array(net), np.array(starts, dtype=np.int64), energy, usable, horizon
    )
    expected = [simulate(net, s, e, usable, horizon) for s, e in zip(starts, energy, strict=True)]
    assert survived.tolist() == expected


@pytest.mark.parametrize(
    ("declared_w", "load_w", "noted", "shortest_h"),
    [(10, 30.0, True, 33.0), (40, 40.0, False, 25.0)],
)
def test_outages_carry_the_declared_essential_load_or_a_higher_measured_one(
    declared_w, load_w, noted, shortest_h
):
    site = make_site(essential_load_w=declared_w)
    hours = 48
    grid = Grid(
        start=int(pd.Timestamp("2025-06-01", tz=MELBOURNE).timestamp()),
        step=3600,
        energy={"essential_load_wh": np.full(hours, 30.0)},
        soc=np.full(hours, 100.0),
    )
    notes: list[str] = []
    outage = simulate_outages(
        grid, site, hours=72, bad_day_factor=0.3, window=(0, hours), notes=notes
    )
    # A start needs the charge at the end of the slot before it, so the first slot is none.
    assert outage.starts == hours - 1
    assert outage.essential_load_w == load_w
    assert outage.measured_essential_load_w == 30.0
    # A full 1,000 Wh battery and no PV: whole hours until it is empty.
    assert outage.min_survival_hours == outage.strict_min_survival_hours == shortest_h
    assert outage.survival_probability == 0.0
    assert bool(notes) == noted
