"""Clear-sky PV: pvlib's own answer, and the days the criteria model."""

import datetime

import numpy as np
import pandas as pd
import pytest

from solhost.energy.pv import _clear_sky_poa, poor_midwinter_pv, pv_day_profile, solstice
from solhost.energy.tests.sites import MELBOURNE, make_site


@pytest.mark.parametrize(
    ("latitude", "longitude", "timezone", "day"),
    [
        (-37.77, 144.96, MELBOURNE, datetime.date(2026, 6, 21)),
        (-31.55, 159.08, "Australia/Lord_Howe", datetime.date(2026, 3, 1)),
        (51.5, -0.1, "Europe/London", datetime.date(2026, 12, 21)),
    ],
)
@pytest.mark.parametrize("step", [300, 3600])
def test_clear_sky_is_exactly_what_pvlibs_location_gives(latitude, longitude, timezone, day, step):
    import warnings

    import pvlib

    times = pd.date_range(pd.Timestamp(day), periods=86400 // step, freq=f"{step}s").tz_localize(
        timezone
    ) + pd.Timedelta(seconds=step / 2)
    location = pvlib.location.Location(latitude, longitude, tz=timezone)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sun = location.get_solarposition(times)
        clear = location.get_clearsky(times, solar_position=sun)
        expected = pvlib.irradiance.get_total_irradiance(
            30.0,
            10.0,
            sun["apparent_zenith"],
            sun["azimuth"],
            clear["dni"],
            clear["ghi"],
            clear["dhi"],
        )["poa_global"]
    poa = _clear_sky_poa(latitude, longitude, timezone, 30.0, 10.0, day, step)
    assert poa.tolist() == np.nan_to_num(expected.to_numpy()).clip(min=0).tolist()


@pytest.mark.parametrize(("latitude", "midsummer", "midwinter"), [(-37.77, 12, 6), (51.5, 6, 12)])
def test_midsummer_and_midwinter_follow_the_hemisphere(latitude, midsummer, midwinter):
    site = make_site(latitude=latitude, pv={"kwp": 1})
    assert solstice(site, summer=True) == datetime.date(2026, midsummer, 21)
    assert solstice(site, summer=False) == datetime.date(2026, midwinter, 21)
    clear = pv_day_profile(site, datetime.date(2026, midwinter, 21), 3600)
    assert clear.sum() > 0
    assert poor_midwinter_pv(site, 0.3, 3600).tolist() == (clear * 0.3).tolist()
