"""Adapters from real monitoring exports to canonical telemetry. Pure: no Django.

Two conversions cover every format:

- power readings (W) become energy by multiplying the average power in each interval by
  the interval's length; readings are grouped into intervals of ``interval_s`` aligned to
  the epoch, and an interval with no reading stays missing;
- cumulative counters (kWh) become energy by differencing consecutive readings. A drop is a
  meter reset, so the new reading is the energy since the reset. A difference spanning up
  to two intervals is shared evenly between them; across a longer gap nobody knows when
  the energy flowed, so it is left out.

Every problem is reported with its line (or, for JSON, the 1-based position in the list).
"""

import math
import zoneinfo
from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from solhost.core.problems import InputProblems
from solhost.core.safe_json import load_json
from solhost.energy.canonical import (
    CHANNELS,
    ENERGY_CHANNELS,
    Problem,
    Telemetry,
    TelemetryError,
    csv_frame,
    telemetry_from_arrays,
)

Array = npt.NDArray[np.float64]
Index = npt.NDArray[np.int64]

MAX_SPREAD_INTERVALS: Final = 2
# No meter reads, and no clock counts milliseconds, beyond this; below it, turning a reading
# into Wh (a kWh counter times 1000, a power times its interval) never overflows.
LARGEST_READING: Final = 1e15
# Solar Protocol's logger reads the charge controller every two minutes.
SOLAR_PROTOCOL_INTERVAL_S: Final = 120


def _check_channel(channel: str) -> None:
    if channel not in ENERGY_CHANNELS:
        raise TelemetryError([Problem(0, f"{channel!r} is not an energy channel")])


def power_to_energy(times: Index, watts: Array, interval_s: int) -> tuple[Index, Array]:
    """Energy (Wh) per interval from power readings (W): the mean reading times the length."""
    keep = np.isfinite(watts)
    slots = times[keep] // interval_s * interval_s
    starts, which = np.unique(slots, return_inverse=True)
    mean_w = np.bincount(which, watts[keep]) / np.bincount(which)
    return starts, mean_w * interval_s / 3600


def counter_to_energy(times: Index, readings_wh: Array, interval_s: int) -> tuple[Index, Array]:
    """Energy (Wh) per interval from a cumulative counter read at ``times`` (sorted)."""
    keep = np.isfinite(readings_wh)
    times, readings = times[keep], readings_wh[keep]
    if len(times) < 2:
        return np.zeros(0, np.int64), np.zeros(0)
    change = np.diff(readings)
    # A counter only runs backwards when it was reset; what it reads now is what has
    # flowed since the reset.
    energy = np.where(change < 0, readings[1:], change)
    span = np.diff(times)
    steps = span // interval_s
    spreadable = (span % interval_s == 0) & (steps >= 1) & (steps <= MAX_SPREAD_INTERVALS)
    first, energy, steps = times[:-1][spreadable], energy[spreadable], steps[spreadable]
    offsets = np.arange(steps.sum()) - np.repeat(np.cumsum(steps) - steps, steps)
    starts = np.repeat(first, steps) + offsets * interval_s
    return starts.astype(np.int64), np.repeat(energy / steps, steps)


def _numbers(
    values: Sequence[object], lines: Sequence[int], what: str, problems: list[Problem]
) -> Array:
    out = np.full(len(values), np.nan)
    for i, value in enumerate(values):
        if value is None or value == "":
            continue
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            problems.append(Problem(lines[i], f"{what} {value!r} is not a number"))
            continue
        if not math.isfinite(number):
            problems.append(Problem(lines[i], f"{what} {value!r} is not a finite number"))
        elif abs(number) > LARGEST_READING:
            problems.append(
                Problem(
                    lines[i],
                    f"{what} {value!r} is out of range: no meter reading or time is "
                    f"beyond ±{LARGEST_READING:.0e}",
                )
            )
        else:
            out[i] = number
    return out


def _telemetry(
    rows: list[tuple[str, Index, Array, int]], lines_of: dict[int, int], server: str
) -> Telemetry:
    channel: list[str] = []
    starts: list[int] = []
    values: list[float] = []
    intervals: list[int] = []
    for name, slot_starts, energy, interval_s in rows:
        channel += [name] * len(slot_starts)
        starts += slot_starts.tolist()
        values += np.maximum(energy, 0).tolist()
        intervals += [interval_s] * len(slot_starts)
    return telemetry_from_arrays(
        channel=channel,
        ts_start=starts,
        interval_s=intervals,
        value=values,
        line=[lines_of.get(s, 0) for s in starts],
        server=server,
    )


def emoncms_feed(
    text: str,
    *,
    channel: str,
    kind: str,
    interval_s: int | None = None,
    server: str = "",
) -> Telemetry:
    """An emoncms feed export, ``[[timestamp, value], ...]``.

    Args:
        kind: ``"power"`` for a feed in W, ``"cumulative_kwh"`` for a kWh counter feed.
        interval_s: the feed's interval; by default the most common spacing of readings.
            Timestamps may be in seconds or (as the feed data API gives them) milliseconds.
        channel: the canonical energy channel the feed measures.
    """
    _check_channel(channel)
    if kind not in ("power", "cumulative_kwh"):
        raise TelemetryError(
            [Problem(0, f"kind must be 'power' or 'cumulative_kwh', got {kind!r}")]
        )
    try:
        document = load_json(text, check_text=False)  # only numbers are read from it
    except InputProblems as error:
        raise TelemetryError([Problem(0, f"{w}: {m}") for w, m in error.problems]) from None
    if not isinstance(document, list):
        raise TelemetryError(
            [Problem(1, "an emoncms feed export is a list of [timestamp, value] pairs")]
        )
    problems: list[Problem] = []
    stamps: list[object] = []
    readings: list[object] = []
    positions: list[int] = []
    for position, item in enumerate(document, start=1):
        if not isinstance(item, list) or len(item) != 2:
            problems.append(Problem(position, f"expected [timestamp, value], got {item!r}"))
            continue
        stamps.append(item[0])
        readings.append(item[1])
        positions.append(position)
    times_raw = _numbers(stamps, positions, "timestamp", problems)
    values = _numbers(readings, positions, "value", problems)
    for i in np.flatnonzero(np.isnan(times_raw)):
        if stamps[i] is None:
            problems.append(Problem(positions[i], "timestamp is missing"))
    if problems:
        raise TelemetryError(problems)
    milliseconds = len(times_raw) and np.nanmax(times_raw) > 1e11
    times = (times_raw / 1000 if milliseconds else times_raw).astype(np.int64)
    order = np.argsort(times, kind="stable")
    times, values = times[order], values[order]
    interval = interval_s or _common_spacing(times)
    if kind == "power":
        starts, energy = power_to_energy(times, values, interval)
    else:
        starts, energy = counter_to_energy(times, values * 1000, interval)
    lines_of = dict(zip(times.tolist(), np.asarray(positions)[order].tolist(), strict=True))
    return _telemetry([(channel, starts, energy, interval)], lines_of, server)


def _common_spacing(times: Index) -> int:
    spacing = np.diff(np.unique(times))
    if not len(spacing):
        raise TelemetryError([Problem(1, "at least two readings are needed to find the interval")])
    values, counts = np.unique(spacing, return_counts=True)
    return int(values[np.argmax(counts)])


def _timestamps(
    values: pd.Series, lines: Index, what: str, timezone: str | None, problems: list[Problem]
) -> Index:
    """UTC seconds from ISO 8601 text (local to ``timezone`` when it has no offset) or epoch numbers."""
    text = values.astype(str).str.strip()
    numeric = pd.to_numeric(text, errors="coerce").to_numpy(np.float64)
    out = np.full(len(text), -1, np.int64)
    is_number = np.isfinite(numeric)
    out[is_number] = np.where(
        numeric[is_number] > 1e11, numeric[is_number] / 1000, numeric[is_number]
    ).astype(np.int64)
    rest = ~is_number
    if rest.any():
        parsed = pd.to_datetime(text[rest], format="ISO8601", errors="coerce", utc=False)
        stamps = pd.Series(parsed)
        for i, stamp in zip(np.flatnonzero(rest), stamps, strict=True):
            if pd.isna(stamp):
                problems.append(
                    Problem(int(lines[i]), f"{what} {text.iloc[i]!r} is not a date and time")
                )
                continue
            if stamp.tzinfo is None:
                if timezone is None:
                    problems.append(
                        Problem(
                            int(lines[i]),
                            f"{what} {text.iloc[i]!r} has no UTC offset; give the site's time zone",
                        )
                    )
                    continue
                try:
                    stamp = stamp.tz_localize(timezone, ambiguous="raise", nonexistent="raise")
                except (ValueError, TypeError) as error:
                    problems.append(
                        Problem(
                            int(lines[i]),
                            f"{what} {text.iloc[i]!r} is not a single local time in {timezone}: {error}",
                        )
                    )
                    continue
            out[i] = int(stamp.timestamp())
    return out


def home_assistant_statistics(
    text: str, *, channel: str, unit: str = "kWh", server: str = ""
) -> Telemetry:
    """Home Assistant long-term statistics of an energy meter, as CSV with a header.

    Needs ``start`` (ISO 8601 with offset, or epoch seconds/milliseconds) and ``sum`` or
    ``state``; other columns (``statistic_id``, ``end``, ``mean`` …) are ignored. Each row
    closes the hour beginning at ``start``: ``sum`` is the reset-corrected running total, so
    the hour's energy is its increase over the previous row; without ``sum`` the meter
    reading ``state`` is differenced and a drop is taken as a reset.
    """
    _check_channel(channel)
    scale = {"kwh": 1000.0, "wh": 1.0}.get(unit.lower())
    if scale is None:
        raise TelemetryError([Problem(0, f"unit must be kWh or Wh, got {unit!r}")])
    frame = csv_frame(text, dtype=str, keep_default_na=False, skipinitialspace=True)
    frame.columns = pd.Index([str(c).strip() for c in frame.columns])
    problems: list[Problem] = []
    if "start" not in frame.columns:
        problems.append(Problem(1, "missing column 'start'"))
    # The reset-corrected ``sum`` where it was written, else the meter's ``state``; a file
    # with only one of them (or no rows yet) is read by the one it has.
    sums = "sum" in frame.columns and bool((frame["sum"] != "").any())
    total = "sum" if sums or "state" not in frame.columns else "state"
    if total not in frame.columns:
        problems.append(Problem(1, "missing column 'sum' or 'state'"))
    if "unit" in frame.columns:
        for row in np.flatnonzero(
            (frame["unit"] != "") & (frame["unit"].str.lower() != unit.lower())
        ):
            problems.append(
                Problem(int(row) + 2, f"unit {frame['unit'].iloc[row]!r} differs from {unit!r}")
            )
    if problems:
        raise TelemetryError(problems)
    lines = np.arange(2, len(frame) + 2, dtype=np.int64)
    starts = _timestamps(frame["start"], lines, "start", None, problems)
    readings = _numbers(frame[total].tolist(), lines.tolist(), total, problems)
    if problems:
        raise TelemetryError(problems)
    order = np.argsort(starts, kind="stable")
    hour = 3600
    slot_starts, energy = counter_to_energy(starts[order] + hour, readings[order] * scale, hour)
    lines_of = dict(zip((starts[order] + hour).tolist(), lines[order].tolist(), strict=True))
    lines_of = {s: lines_of.get(s + hour, 0) for s in slot_starts.tolist()}
    return _telemetry([(channel, slot_starts, energy, hour)], lines_of, server)


# Solar Protocol's charge-controller logger (github.com/alexnathanson/solar-protocol,
# charge-controller/csv_datalogger.py and the daily tracerDataYYYY-MM-DD.csv files it
# writes) reads an EPEVER Tracer every two minutes: a naive local ``datetime`` (newer
# versions: a ``timestamp`` in epoch seconds), PV, battery and load readings, each power
# split into low and high 16-bit words already divided by 100, and ``battery percentage``
# as a fraction. The battery power is the controller's charging power; the load output
# powers the server and nothing else, so it is both the load and the essential load.
SOLAR_PROTOCOL_POWER: Final = {
    "pv_wh": ("PV power L", "PV power H"),
    "batt_charge_wh": ("battery power L", "battery power H"),
}
SOLAR_PROTOCOL_LOAD: Final = "load power"
SOLAR_PROTOCOL_SOC: Final = "battery percentage"


def solar_protocol_tracer(text: str, *, timezone: str, server: str = "") -> Telemetry:
    """A Solar Protocol charge-controller CSV; ``timezone`` is where the logger's clock runs."""
    zoneinfo.ZoneInfo(timezone)
    frame = csv_frame(text, dtype=str, keep_default_na=False, skipinitialspace=True)
    frame.columns = pd.Index([str(c).strip() for c in frame.columns])
    time_column = "datetime" if "datetime" in frame.columns else "timestamp"
    needed = [time_column, SOLAR_PROTOCOL_LOAD, SOLAR_PROTOCOL_SOC] + [
        c for pair in SOLAR_PROTOCOL_POWER.values() for c in pair
    ]
    problems = [Problem(1, f"missing column {c!r}") for c in needed if c not in frame.columns]
    if problems:
        raise TelemetryError(problems)
    lines = np.arange(2, len(frame) + 2, dtype=np.int64)
    times = _timestamps(frame[time_column], lines, time_column, timezone, problems)

    def column(name: str) -> Array:
        return _numbers(frame[name].tolist(), lines.tolist(), name, problems)

    watts = {
        name: column(low) + column(high) * 65536
        for name, (low, high) in SOLAR_PROTOCOL_POWER.items()
    }
    load = column(SOLAR_PROTOCOL_LOAD)
    soc = column(SOLAR_PROTOCOL_SOC)
    if problems:
        raise TelemetryError(problems)
    watts["load_wh"] = load
    watts["essential_load_wh"] = load
    interval = SOLAR_PROTOCOL_INTERVAL_S
    rows = [(name, *power_to_energy(times, w, interval), interval) for name, w in watts.items()]
    telemetry = _telemetry(
        [(name, starts, energy, interval) for name, starts, energy, _ in rows],
        _first_line_per_slot(times, lines, interval),
        server,
    )
    return _with_soc(telemetry, times, soc * 100, interval, server)


def _first_line_per_slot(times: Index, lines: Index, interval_s: int) -> dict[int, int]:
    slots = (times // interval_s * interval_s).tolist()
    out: dict[int, int] = {}
    for slot, line in zip(slots, lines.tolist(), strict=True):
        out.setdefault(slot, line)
    return out


def _with_soc(
    telemetry: Telemetry, times: Index, soc_pct: Array, interval_s: int, server: str
) -> Telemetry:
    """Add the state of charge at the end of each interval (the interval's last reading)."""
    keep = np.isfinite(soc_pct)
    slots = times[keep] // interval_s * interval_s
    order = np.lexsort((times[keep], slots))
    slots, values = slots[order], soc_pct[keep][order]
    last = np.concatenate((slots[1:] != slots[:-1], [True])) if len(slots) else np.zeros(0, bool)
    soc_starts, soc_values = slots[last], np.clip(values[last], 0, 100)
    names = [CHANNELS[c] for c in telemetry.channel] + ["soc_pct"] * len(soc_starts)
    return telemetry_from_arrays(
        channel=names,
        ts_start=np.concatenate((telemetry.ts_start, soc_starts)).tolist(),
        interval_s=np.concatenate(
            (telemetry.interval_s, np.full(len(soc_starts), interval_s))
        ).tolist(),
        value=np.concatenate((telemetry.value, soc_values)).tolist(),
        line=np.concatenate((telemetry.line, np.zeros(len(soc_starts), np.int64))).tolist(),
        server=server,
    )


# A VRM portal CSV export (layout as read by github.com/opauly/vrm-monitor,
# victron/vrm_csv.py): three header rows give each column's device ("System overview
# [0]"), description ("Battery SOC") and unit; the second row's first cell names the
# installation's time zone, and the first column holds naive local timestamps. Power is in
# W with grid > 0 importing and battery > 0 charging; several devices of one kind repeat
# a column, and their powers add up. VRM also writes empty rows on the hour.
VRM_POWER: Final = {
    "pv_wh": ("PV - DC-coupled", "PV - AC-coupled"),
    "load_wh": ("AC Consumption L1", "AC Consumption L2", "AC Consumption L3"),
    "grid": ("Grid L1", "Grid L2", "Grid L3"),
    "battery": ("Battery Power",),
}
VRM_SOC: Final = "Battery SOC"
VRM_DEVICE: Final = "System overview"


def victron_vrm(text: str, *, timezone: str | None = None, server: str = "") -> Telemetry:
    """A Victron VRM CSV export; ``timezone`` overrides the one named in the export."""
    header = csv_frame(text, header=None, nrows=3, dtype=str, keep_default_na=False)
    if len(header) < 3:
        raise TelemetryError([Problem(1, "a VRM export starts with three header rows")])
    devices = [str(d).split(" [")[0].strip() for d in header.iloc[0]]
    descriptions = [str(d).strip() for d in header.iloc[1]]
    zone = timezone or descriptions[0]
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise TelemetryError(
            [Problem(2, f"{zone!r} is not a time zone; give the site's time zone")]
        ) from None
    body = csv_frame(text, header=None, skiprows=3, dtype=str, keep_default_na=False)
    lines = np.arange(4, len(body) + 4, dtype=np.int64)
    values = body.iloc[:, 1:]
    occupied = (values != "").any(axis=1).to_numpy(bool)
    body, lines = body.loc[occupied], lines[occupied]
    problems: list[Problem] = []
    times = _timestamps(body.iloc[:, 0], lines, "timestamp", zone, problems)

    def total(description: str) -> Array | None:
        columns = [
            i
            for i, (d, name) in enumerate(zip(devices, descriptions, strict=True))
            if i > 0 and d == VRM_DEVICE and name == description
        ]
        if not columns:
            return None
        parts = [
            _numbers(body.iloc[:, i].tolist(), lines.tolist(), description, problems)
            for i in columns
        ]
        return np.asarray(np.nansum(parts, axis=0) if len(parts) > 1 else parts[0])

    def summed(descriptions_: Sequence[str]) -> Array | None:
        found = [a for a in (total(d) for d in descriptions_) if a is not None]
        if not found:
            return None
        stacked = np.vstack(found)
        return np.where(np.isnan(stacked).all(axis=0), np.nan, np.nansum(stacked, axis=0))

    pv, load = summed(VRM_POWER["pv_wh"]), summed(VRM_POWER["load_wh"])
    grid, battery, soc = summed(VRM_POWER["grid"]), summed(VRM_POWER["battery"]), total(VRM_SOC)
    if load is None:
        problems.append(Problem(2, "no 'System overview' AC Consumption column"))
    if problems:
        raise TelemetryError(problems)
    watts: dict[str, Array] = {}
    for name, series in (("pv_wh", pv), ("load_wh", load)):
        if series is not None:
            watts[name] = series
    if grid is not None:
        watts["grid_import_wh"] = np.where(np.isnan(grid), np.nan, np.maximum(grid, 0))
        watts["grid_export_wh"] = np.where(np.isnan(grid), np.nan, np.maximum(-grid, 0))
    if battery is not None:
        watts["batt_charge_wh"] = np.where(np.isnan(battery), np.nan, np.maximum(battery, 0))
        watts["batt_discharge_wh"] = np.where(np.isnan(battery), np.nan, np.maximum(-battery, 0))
    order = np.argsort(times, kind="stable")
    times, lines = times[order], lines[order]
    interval = _common_spacing(times)
    rows = []
    for name, series in watts.items():
        starts, energy = power_to_energy(times, series[order], interval)
        rows.append((name, starts, energy, interval))
    telemetry = _telemetry(rows, _first_line_per_slot(times, lines, interval), server)
    if soc is None:
        return telemetry
    return _with_soc(telemetry, times, soc[order], interval, server)
