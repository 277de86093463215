"""A server location's power system as described in a SITE.json file. Pure: no Django.

The same facts as the ``PowerSystem`` model, so a site can be analysed offline. Every problem
is reported with its JSON path (``battery.min_soc_pct``), all at once.
"""

import datetime
import json
import math
import zoneinfo
from dataclasses import dataclass
from typing import Any, Final

from solhost.core.problems import InputProblems

# (path, required, minimum, maximum); numbers only.
NUMBERS: Final = (
    ("latitude", True, -90.0, 90.0),
    ("longitude", True, -180.0, 180.0),
    ("pv.kwp", True, 0.0, math.inf),
    ("pv.tilt_deg", False, 0.0, 90.0),
    ("pv.azimuth_deg", False, 0.0, 360.0),
    ("battery.nominal_wh", True, 0.0, math.inf),
    ("battery.min_soc_pct", False, 0.0, 100.0),
    ("battery.health_pct", False, 0.0, 100.0),
    ("battery.round_trip_efficiency_pct", False, 1.0, 100.0),
    ("inverter_efficiency_pct", False, 1.0, 100.0),
    ("essential_load_w", True, 0.0, math.inf),
    ("community_installation.latitude", False, -90.0, 90.0),
    ("community_installation.longitude", False, -180.0, 180.0),
)
# The PowerSystem model's defaults, so a short SITE.json means the same as a new model row.
DEFAULTS: Final = {
    "pv.tilt_deg": 20.0,
    "pv.azimuth_deg": 0.0,
    "battery.min_soc_pct": 20.0,
    "battery.health_pct": 100.0,
    "battery.round_trip_efficiency_pct": 90.0,
    "inverter_efficiency_pct": 95.0,
}
KNOWN_KEYS: Final = {
    "": {
        "name",
        "server",
        "latitude",
        "longitude",
        "timezone",
        "pv",
        "battery",
        "inverter_efficiency_pct",
        "essential_load_w",
        "grid_connected",
        "operation_start",
        "community_installation",
        "battery_accounting",
    },
    "pv": {"kwp", "tilt_deg", "azimuth_deg"},
    "battery": {"nominal_wh", "min_soc_pct", "health_pct", "round_trip_efficiency_pct"},
    "community_installation": {"name", "latitude", "longitude"},
}

# When grid energy that charges the battery counts against the renewable share: as it is
# imported (one pool, the default), or as the battery gives it back to the load (two pools:
# grid-charged energy is kept apart, drawn first, and stays grid energy when discharged).
SINGLE_POOL: Final = "single_pool"
TWO_POOL: Final = "two_pool"
BATTERY_ACCOUNTING: Final = (SINGLE_POOL, TWO_POOL)


class SiteError(InputProblems):
    """A SITE.json with problems; ``problems`` lists ``(path, message)`` pairs."""


@dataclass(frozen=True)
class CommunityInstallation:
    name: str
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class Site:
    """One server location's power system; percentages are 0–100, energy in Wh, power in W."""

    latitude: float
    longitude: float
    timezone: str
    pv_kwp: float
    pv_tilt_deg: float
    pv_azimuth_deg: float
    battery_nominal_wh: float
    battery_min_soc_pct: float
    battery_health_pct: float
    round_trip_efficiency_pct: float
    inverter_efficiency_pct: float
    essential_load_w: float
    operation_start: datetime.date
    grid_connected: bool = True
    name: str = ""
    server: str | None = None
    community_installation: CommunityInstallation | None = None
    battery_accounting: str = SINGLE_POOL

    @property
    def battery_capacity_wh(self) -> float:
        """What the battery holds when full, after ageing."""
        return self.battery_nominal_wh * self.battery_health_pct / 100

    @property
    def usable_battery_wh(self) -> float:
        """What can be drawn from full down to the minimum state of charge."""
        return self.battery_capacity_wh * (1 - self.battery_min_soc_pct / 100)

    @property
    def one_way_battery_efficiency(self) -> float:
        """Charging and discharging each lose the same share of the round trip."""
        return math.sqrt(self.round_trip_efficiency_pct / 100)


def _lookup(document: dict[str, Any], path: str) -> tuple[bool, Any]:
    here: Any = document
    for part in path.split("."):
        if not isinstance(here, dict) or part not in here:
            return False, None
        here = here[part]
    return True, here


def parse_site(document: object) -> Site:
    """A :class:`Site` from decoded SITE.json, or SiteError listing every problem."""
    if not isinstance(document, dict):
        raise SiteError([("", "SITE.json must be a JSON object")])
    problems: list[tuple[str, str]] = []
    for parent, keys in KNOWN_KEYS.items():
        found, section = _lookup(document, parent) if parent else (True, document)
        if not found:
            continue
        if not isinstance(section, dict):
            problems.append((parent, "must be an object"))
            continue
        problems += [
            (f"{parent}.{key}" if parent else key, "unknown field")
            for key in section
            if key not in keys
        ]

    numbers: dict[str, float] = {}
    for path, required, low, high in NUMBERS:
        found, value = _lookup(document, path)
        if not found or value is None:
            if required:
                problems.append((path, "is required"))
            elif path in DEFAULTS:
                numbers[path] = DEFAULTS[path]
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append((path, f"must be a number, got {value!r}"))
        elif not math.isfinite(value) or not low <= value <= high:
            upper = "" if high == math.inf else f" and at most {high:g}"
            problems.append((path, f"must be at least {low:g}{upper}, got {value}"))
        else:
            numbers[path] = float(value)

    timezone = document.get("timezone")
    if not isinstance(timezone, str) or not timezone:
        problems.append(
            ("timezone", "is required: an IANA time zone such as 'Australia/Melbourne'")
        )
    else:
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            problems.append(("timezone", f"unknown time zone {timezone!r}"))

    start_text = document.get("operation_start")
    operation_start = None
    if not isinstance(start_text, str):
        problems.append(("operation_start", "is required: the date the server started, YYYY-MM-DD"))
    else:
        try:
            operation_start = datetime.date.fromisoformat(start_text)
        except ValueError:
            problems.append(("operation_start", f"must be a date YYYY-MM-DD, got {start_text!r}"))

    grid_connected = document.get("grid_connected", True)
    if not isinstance(grid_connected, bool):
        problems.append(("grid_connected", "must be true or false"))
    battery_accounting = document.get("battery_accounting", SINGLE_POOL)
    if battery_accounting not in BATTERY_ACCOUNTING:
        problems.append(
            (
                "battery_accounting",
                f"must be one of {', '.join(repr(a) for a in BATTERY_ACCOUNTING)}, "
                f"got {battery_accounting!r}",
            )
        )
    for path in ("name", "server", "community_installation.name"):
        found, value = _lookup(document, path)
        if found and not isinstance(value, str):
            problems.append((path, "must be text"))

    community = None
    found, section = _lookup(document, "community_installation")
    if found and isinstance(section, dict):
        name = section.get("name")
        if not name:
            problems.append(("community_installation.name", "is required"))
        has_lat, has_lon = "latitude" in section, "longitude" in section
        if has_lat != has_lon:
            problems.append(
                ("community_installation", "give both latitude and longitude, or neither")
            )
        community = CommunityInstallation(
            str(name or ""),
            numbers.get("community_installation.latitude"),
            numbers.get("community_installation.longitude"),
        )

    if problems:
        raise SiteError(problems)
    assert operation_start is not None and isinstance(timezone, str)
    server = document.get("server")
    return Site(
        latitude=numbers["latitude"],
        longitude=numbers["longitude"],
        timezone=timezone,
        pv_kwp=numbers["pv.kwp"],
        pv_tilt_deg=numbers["pv.tilt_deg"],
        pv_azimuth_deg=numbers["pv.azimuth_deg"],
        battery_nominal_wh=numbers["battery.nominal_wh"],
        battery_min_soc_pct=numbers["battery.min_soc_pct"],
        battery_health_pct=numbers["battery.health_pct"],
        round_trip_efficiency_pct=numbers["battery.round_trip_efficiency_pct"],
        inverter_efficiency_pct=numbers["inverter_efficiency_pct"],
        essential_load_w=numbers["essential_load_w"],
        operation_start=operation_start,
        grid_connected=grid_connected,
        name=str(document.get("name", "")),
        server=server if isinstance(server, str) else None,
        community_installation=community,
        battery_accounting=battery_accounting,
    )


def read_site(text: str) -> Site:
    """A :class:`Site` from SITE.json text."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise SiteError([("", f"not valid JSON: {error.msg} at line {error.lineno}")]) from None
    return parse_site(document)
