"""One uploaded telemetry file, in any supported format, as one server's canonical rows.

Pure: no Django. The upload page and the API both come through :func:`read_upload`, so a
file is judged the same way whichever door it comes in by: every problem with its line (or,
for a JSON list, its position), and nothing accepted from a file with any problem.
"""

import datetime
import zoneinfo
from dataclasses import dataclass
from typing import Final

import numpy as np

from solhost.energy import adapters
from solhost.energy.canonical import (
    CHANNELS,
    ENERGY_CHANNELS,
    SOC,
    Problem,
    Telemetry,
    TelemetryError,
    read_canonical,
)
from solhost.energy.site import Site

CANONICAL: Final = "canonical"
EMONCMS: Final = "emoncms"
HOME_ASSISTANT: Final = "home_assistant"
SOLAR_PROTOCOL: Final = "solar_protocol"
VICTRON: Final = "victron"
FORMATS: Final = (CANONICAL, EMONCMS, HOME_ASSISTANT, SOLAR_PROTOCOL, VICTRON)
# Formats that carry one channel each, so the sender says which one.
SINGLE_CHANNEL: Final = (EMONCMS, HOME_ASSISTANT)
EMONCMS_KINDS: Final = ("power", "cumulative_kwh")
# Line 0 marks a problem with the upload's options rather than with a line of the file.
OPTIONS_LINE: Final = 0
# A logger's clock may run some minutes ahead of the server's without anyone noticing.
CLOCK_SKEW_S: Final = 900


@dataclass(frozen=True)
class UploadOptions:
    """How to read a file: its format and, for one-channel formats, what it measures."""

    format: str = CANONICAL
    channel: str = ""
    kind: str = "power"
    unit: str = "kWh"


def _option_problems(options: UploadOptions) -> list[Problem]:
    problems = []
    if options.format not in FORMATS:
        problems.append(
            Problem(
                OPTIONS_LINE,
                f"format {options.format!r} is not known; formats are {', '.join(FORMATS)}",
            )
        )
    if options.format in SINGLE_CHANNEL and options.channel not in ENERGY_CHANNELS:
        problems.append(
            Problem(
                OPTIONS_LINE,
                f"channel {options.channel!r}: a {options.format} file holds one meter; say "
                f"which channel it measures, one of {', '.join(ENERGY_CHANNELS)}",
            )
        )
    if options.format == EMONCMS and options.kind not in EMONCMS_KINDS:
        problems.append(
            Problem(
                OPTIONS_LINE,
                f"kind {options.kind!r} must be one of {', '.join(EMONCMS_KINDS)}",
            )
        )
    return problems


def read_upload(text: str, options: UploadOptions, *, server: str, timezone: str) -> Telemetry:
    """The file's rows for ``server``, or TelemetryError listing every problem.

    Rows of a canonical file may name their server; any other server than ``server`` is a
    problem, because a partner uploads for one server at a time. ``timezone`` is the site's,
    for exports whose clocks have no UTC offset.
    """
    problems = _option_problems(options)
    if problems:
        raise TelemetryError(problems)
    if not text.strip():
        raise TelemetryError([Problem(1, "the file is empty")])
    if options.format == CANONICAL:
        telemetry = read_canonical(text)
    elif options.format == EMONCMS:
        telemetry = adapters.emoncms_feed(text, channel=options.channel, kind=options.kind)
    elif options.format == HOME_ASSISTANT:
        telemetry = adapters.home_assistant_statistics(
            text, channel=options.channel, unit=options.unit
        )
    elif options.format == SOLAR_PROTOCOL:
        telemetry = adapters.solar_protocol_tracer(text, timezone=timezone)
    else:
        telemetry = adapters.victron_vrm(text, timezone=timezone)
    if not len(telemetry):
        raise TelemetryError([Problem(1, "the file holds no readings")])
    others = (telemetry.server != "") & (telemetry.server != server)
    if others.any():
        raise TelemetryError(
            Problem(
                int(line),
                f"server {name!r} is not {server!r}, the server this upload is for",
            )
            for line, name in zip(telemetry.line[others], telemetry.server[others], strict=True)
        )
    return Telemetry(
        np.full(len(telemetry), server, dtype=object),
        telemetry.channel,
        telemetry.ts_start,
        telemetry.interval_s,
        telemetry.value,
        telemetry.line,
    )


def span_coverage(telemetry: Telemetry) -> float:
    """Share of the rows' time span that has data on at least one channel (0–1)."""
    if not len(telemetry):
        return 0.0
    start = int(telemetry.ts_start.min())
    end = int((telemetry.ts_start + telemetry.interval_s).max())
    order = np.argsort(telemetry.ts_start, kind="stable")
    starts = telemetry.ts_start[order]
    ends = starts + telemetry.interval_s[order]
    # Intervals sorted by start: the part of each beyond every earlier end is new time.
    reach = np.maximum.accumulate(np.concatenate(([start], ends[:-1])))
    covered = np.clip(ends - np.maximum(starts, reach), 0, None).sum()
    return float(covered / (end - start)) if end > start else 0.0


def conflicts_with_stored(new: Telemetry, stored: Telemetry) -> list[Problem]:
    """Problems between an upload and the rows already stored for the same server.

    A row equal to a stored one is fine (it is the same reading sent again). A row with a
    stored row's key but another interval or energy is a conflict, and a row overlapping a
    stored interval of another length is an overlap: either way one of them is wrong, and
    the stored one was accepted first. ``stored`` is sorted by channel and start.
    """
    if not len(new) or not len(stored):
        return []
    problems = []
    # Both sets are sorted by channel then start, so one key orders them together.
    span = int(max(new.ts_start.max(), stored.ts_start.max())) + 1
    new_key = new.channel.astype(np.int64) * span + new.ts_start
    stored_key = stored.channel.astype(np.int64) * span + stored.ts_start
    at = np.searchsorted(stored_key, new_key)
    found = at < len(stored_key)
    found[found] = stored_key[at[found]] == new_key[found]
    same = found.copy()
    same[found] = (stored.interval_s[at[found]] == new.interval_s[found]) & (
        stored.value[at[found]] == new.value[found]
    )
    for row in np.flatnonzero(found & ~same):
        problems.append(
            Problem(
                int(new.line[row]),
                "conflicts with a stored reading: same channel and ts_start but a different "
                f"interval_s or energy_wh ({int(stored.interval_s[at[row]])} s, "
                f"{stored.value[at[row]]:g} stored)",
            )
        )
    # Overlaps: the stored interval just before each new row, and the one just after it.
    rows = np.flatnonzero(~found)
    before = at[rows] - 1
    after = np.minimum(at[rows], len(stored) - 1)
    channel = new.channel[rows]
    start = new.ts_start[rows]
    end = start + new.interval_s[rows]
    safe_before = np.maximum(before, 0)
    overlaps_before = (
        (before >= 0)
        & (stored.channel[safe_before] == channel)
        & (stored.ts_start[safe_before] + stored.interval_s[safe_before] > start)
    )
    overlaps_after = (
        (at[rows] < len(stored))
        & (stored.channel[after] == channel)
        & (stored.ts_start[after] < end)
    )
    for row in rows[overlaps_before | overlaps_after]:
        problems.append(
            Problem(
                int(new.line[row]),
                f"the {int(new.interval_s[row])} s interval overlaps a stored reading "
                "of another length on the same channel",
            )
        )
    return sorted(problems)


@dataclass(frozen=True)
class Plausibility:
    """What one server's readings must keep within when they arrive.

    ``now`` is when they arrive (UTC seconds); ``operation_started`` is the server's first
    day in ``timezone``; ``site`` its declared power system, None while it is not described
    (then only ``max_site_power_w``, the bound for any site, limits the energy). Declared
    figures are multiplied by ``margin_bp``, because nameplates are approximate.
    """

    now: int
    operation_started: datetime.date
    timezone: str
    margin_bp: int
    max_site_power_w: int
    site: Site | None = None


def _ceilings(limits: Plausibility) -> list[tuple[float, str]]:
    """For each channel, the highest average power (W) a reading may show, and what sets it."""
    anywhere = (
        float(limits.max_site_power_w),
        f"any one site may draw or produce ({limits.max_site_power_w:,} W on average)",
    )
    ceilings = [anywhere] * len(CHANNELS)
    site = limits.site
    if site is None:
        return ceilings
    margin = limits.margin_bp / 10000
    with_margin = f"with a margin of {margin:g}×"
    pv_w = site.pv_kwp * 1000 * margin
    # A battery moves at most its whole nominal capacity in an hour (a rate of 1C).
    battery_w = site.battery_nominal_wh * margin
    panels = f"the declared {site.pv_kwp:g} kWp of panels"
    battery = f"the declared {site.battery_nominal_wh:g} Wh battery at one full charge an hour"
    declared = {
        "pv_wh": (pv_w, f"{panels} can produce, {with_margin}"),
        "batt_charge_wh": (battery_w, f"{battery} can take in, {with_margin}"),
        "batt_discharge_wh": (battery_w, f"{battery} can give, {with_margin}"),
        "grid_export_wh": (pv_w + battery_w, f"{panels} and {battery} can give, {with_margin}"),
    }
    if not site.grid_connected:
        off_grid = (0.0, "a site the power system says is off the grid exchanges with it")
        declared["grid_import_wh"] = declared["grid_export_wh"] = off_grid
        # Without the grid or a community installation, panels and battery feed the load.
        if site.community_installation is None:
            supply = (pv_w + battery_w, f"{panels} and {battery} can supply, {with_margin}")
            declared["load_wh"] = declared["essential_load_wh"] = supply
    for name, ceiling in declared.items():
        index = CHANNELS.index(name)
        ceilings[index] = min(ceilings[index], ceiling, key=lambda c: c[0])
    return ceilings


def _moment(seconds: int) -> str:
    try:
        return datetime.datetime.fromtimestamp(seconds, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, ValueError, OSError):
        return f"{seconds} seconds from 1970 (UTC)"


def implausible(telemetry: Telemetry, limits: Plausibility) -> list[Problem]:
    """Readings the server cannot have made, each with its line: ending in the future
    (beyond a clock's skew), starting before the server's first day, or with more energy
    than its installation (or, undeclared, any site) could produce or use in the interval.
    """
    t = telemetry
    problems = []
    ends = t.ts_start + t.interval_s
    for row in np.flatnonzero(ends > limits.now + CLOCK_SKEW_S):
        problems.append(
            Problem(
                int(t.line[row]),
                f"the {CHANNELS[t.channel[row]]} reading ends at {_moment(int(ends[row]))}, "
                f"in the future (it is now {_moment(limits.now)}); check the logger's clock "
                "and time zone",
            )
        )
    first_second = datetime.datetime.combine(
        limits.operation_started, datetime.time(), zoneinfo.ZoneInfo(limits.timezone)
    ).timestamp()
    for row in np.flatnonzero(t.ts_start < first_second):
        problems.append(
            Problem(
                int(t.line[row]),
                f"the {CHANNELS[t.channel[row]]} reading starts at "
                f"{_moment(int(t.ts_start[row]))}, before {limits.operation_started}, the day "
                "the server began operating",
            )
        )
    ceilings = _ceilings(limits)
    ceiling_w = np.array([power for power, _ in ceilings])
    bound_wh = ceiling_w[t.channel] * t.interval_s / 3600
    energy = t.channel != CHANNELS.index(SOC)
    for row in np.flatnonzero(energy & (t.value > bound_wh)):
        name = CHANNELS[t.channel[row]]
        problems.append(
            Problem(
                int(t.line[row]),
                f"{name} {t.value[row]:g} Wh in {int(t.interval_s[row])} s is more than "
                f"{ceilings[t.channel[row]][1]}: at most {bound_wh[row]:.6g} Wh",
            )
        )
    return sorted(problems)
