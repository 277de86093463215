"""Clear-sky PV: a site's energy per slot of a local day, modelled with pvlib. Pure: no Django."""

import datetime
import functools
import warnings
from typing import Final

import numpy as np
import pandas as pd
import pvlib

from solhost.energy.grid import DAY_S, Array
from solhost.energy.site import Site

# PV losses besides the inverter (soiling, wiring, temperature, mismatch), as in PVWatts'
# default 14 % system losses.
PV_SYSTEM_DERATE: Final = 0.86


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


def solstice(site: Site, *, summer: bool) -> datetime.date:
    """The 2026 solstice that is midsummer (or midwinter) at the site's latitude."""
    southern = site.latitude < 0
    december = summer == southern
    return datetime.date(2026, 12 if december else 6, 21)


def poor_midwinter_pv(site: Site, bad_day_factor: float, step: int) -> Array:
    """PV per ``step`` slot of a local day: clear-sky midwinter scaled by the bad-day factor."""
    return pv_day_profile(site, solstice(site, summer=False), step) * bad_day_factor
