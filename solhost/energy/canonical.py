"""The canonical long CSV for site energy telemetry: read, validate, write. Pure: no Django.

One row per interval and channel: ``ts_start`` (ISO 8601 with a UTC offset), ``interval_s``,
``channel``, ``energy_wh`` and optionally ``server`` and ``unit``. A file is accepted whole or
not at all: every problem found is collected with its CSV line number (the header is line 1)
and raised together in one :class:`TelemetryError`.

A row's idempotency key is ``(server, channel, ts_start)``. Sending the same row twice, in
one file or in two, changes nothing; two rows with the same key but different contents are
an error, because one of them must be wrong.
"""

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

CHANNELS: Final = (
    "pv_wh",
    "community_renewable_wh",
    "grid_import_wh",
    "grid_export_wh",
    "load_wh",
    "essential_load_wh",
    "batt_charge_wh",
    "batt_discharge_wh",
    "soc_pct",
)
SOC: Final = "soc_pct"
ENERGY_CHANNELS: Final = tuple(c for c in CHANNELS if c != SOC)
REQUIRED_COLUMNS: Final = ("ts_start", "interval_s", "channel", "energy_wh")
OPTIONAL_COLUMNS: Final = ("server", "unit")
# A header naming another unit is the commonest way a kWh or W export slips in unconverted.
WRONG_UNIT_COLUMNS: Final = {
    "energy_kwh": "kWh",
    "energy_mwh": "MWh",
    "energy_j": "J",
    "power_w": "W",
    "power_kw": "kW",
    "value_kwh": "kWh",
}
UNIT_OF: Final = {**dict.fromkeys(ENERGY_CHANNELS, "Wh"), SOC: "%"}
TIMESTAMP: Final = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
OFFSET: Final = r"(?:Z|[+-]\d{2}:\d{2})"
# Shown in an error's message; the error object keeps every problem.
MESSAGE_PROBLEMS: Final = 20


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, where it is and what is wrong."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class TelemetryError(ValueError):
    """A rejected telemetry file; ``problems`` lists every problem found, by line."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems)
        shown = "; ".join(str(p) for p in self.problems[:MESSAGE_PROBLEMS])
        more = len(self.problems) - MESSAGE_PROBLEMS
        super().__init__(shown + (f"; and {more} more problems" if more > 0 else ""))


@dataclass(frozen=True)
class Telemetry:
    """Accepted rows, one per idempotency key, sorted by server, channel and start.

    ``channel`` holds indexes into :data:`CHANNELS`; times are whole seconds since the Unix
    epoch (UTC); ``line`` is each row's line in the file it came from.
    """

    server: npt.NDArray[np.object_]
    channel: npt.NDArray[np.int8]
    ts_start: npt.NDArray[np.int64]
    interval_s: npt.NDArray[np.int64]
    value: npt.NDArray[np.float64]
    line: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.value)

    @property
    def servers(self) -> list[str]:
        return sorted(str(s) for s in pd.unique(self.server))

    def for_server(self, server: str) -> "Telemetry":
        keep = self.server == server
        return Telemetry(
            self.server[keep],
            self.channel[keep],
            self.ts_start[keep],
            self.interval_s[keep],
            self.value[keep],
            self.line[keep],
        )

    def keys(self) -> list[tuple[str, str, int]]:
        """Idempotency keys ``(server, channel, ts_start)``, in row order."""
        return [
            (str(s), CHANNELS[c], int(t))
            for s, c, t in zip(self.server, self.channel, self.ts_start, strict=True)
        ]


def _header_problems(columns: list[str]) -> list[Problem]:
    problems = []
    for column in columns:
        if column in WRONG_UNIT_COLUMNS:
            problems.append(
                Problem(
                    1,
                    f"column {column!r} is in {WRONG_UNIT_COLUMNS[column]}; "
                    "energy must be given in Wh in a column named 'energy_wh'",
                )
            )
        elif column not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            problems.append(Problem(1, f"unknown column {column!r}"))
    for column in REQUIRED_COLUMNS:
        if column not in columns and not (
            column == "energy_wh" and set(columns) & set(WRONG_UNIT_COLUMNS)
        ):
            problems.append(Problem(1, f"missing column {column!r}"))
    if len(set(columns)) != len(columns):
        problems.append(Problem(1, "a column name appears twice"))
    return problems


def _parse_timestamps(
    text: pd.Series, lines: npt.NDArray[np.int64], problems: list[Problem]
) -> npt.NDArray[np.int64]:
    """UTC seconds for each ISO 8601 text; -1 where it is wrong (a problem is recorded)."""
    # Each start time repeats once per channel, so parse each distinct text once.
    codes, distinct = pd.factorize(text)
    distinct_text = pd.Series(distinct, dtype=object).astype(str)
    with_offset = distinct_text.str.fullmatch(TIMESTAMP + OFFSET).to_numpy(bool)
    without_offset = distinct_text.str.fullmatch(TIMESTAMP).to_numpy(bool)
    parsed = pd.to_datetime(
        distinct_text.where(with_offset), format="ISO8601", utc=True, errors="coerce"
    )
    nanoseconds = parsed.to_numpy("datetime64[ns]").astype(np.int64)
    invalid = np.asarray(parsed.isna(), bool)
    fractional = ~invalid & (nanoseconds % 1_000_000_000 != 0)
    seconds = np.where(invalid | fractional, -1, nanoseconds // 1_000_000_000)
    for row in np.flatnonzero((invalid | fractional)[codes]):
        value = distinct[codes[row]]
        if fractional[codes[row]]:
            message = f"ts_start {value!r} must fall on a whole second"
        elif without_offset[codes[row]]:
            message = f"ts_start {value!r} has no UTC offset (e.g. +10:00 or Z)"
        else:
            message = f"ts_start {value!r} is not an ISO 8601 date and time"
        problems.append(Problem(int(lines[row]), message))
    return np.asarray(seconds[codes], np.int64)


def read_canonical(source: str | io.TextIOBase) -> Telemetry:
    """Read canonical CSV text (or an open text file) into :class:`Telemetry`.

    Raises TelemetryError listing every problem; nothing is returned from a rejected file.
    """
    text = source if isinstance(source, str) else source.read()
    frame = (
        pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            skipinitialspace=True,
            on_bad_lines="error",
        )
        if text.strip()
        else pd.DataFrame()
    )
    columns = [str(c).strip() for c in frame.columns]
    if not columns:
        raise TelemetryError([Problem(1, "the file is empty; a header line is needed")])
    frame.columns = pd.Index(columns)
    problems = _header_problems(columns)
    if problems:
        raise TelemetryError(problems)

    blank = np.logical_and.reduce([frame[c].to_numpy(object) == "" for c in columns])
    lines_all = np.arange(2, len(frame) + 2, dtype=np.int64)
    frame = frame.loc[~blank]
    lines = lines_all[~blank]

    ts_start = _parse_timestamps(frame["ts_start"], lines, problems)

    # Intervals and channels take few distinct values: validate each distinct text once.
    interval_codes, interval_texts = pd.factorize(frame["interval_s"])
    interval_of = np.array(
        [int(t) if t.strip().isdigit() and len(t.strip()) <= 9 else 0 for t in interval_texts],
        np.int64,
    )
    interval_s = interval_of[interval_codes] if len(interval_codes) else np.zeros(0, np.int64)
    for row in np.flatnonzero(interval_s <= 0):
        problems.append(
            Problem(
                int(lines[row]),
                f"interval_s {frame['interval_s'].iloc[row]!r} must be a whole number of seconds above 0",
            )
        )

    channel_codes, channel_texts = pd.factorize(frame["channel"])
    channel_names = [str(name).strip() for name in channel_texts]
    known = np.array([name in CHANNELS for name in channel_names], bool)
    channel_index = np.array([CHANNELS.index(n) if n in CHANNELS else -1 for n in channel_names])
    channel = (
        channel_index[channel_codes].astype(np.int8) if len(channel_codes) else np.zeros(0, np.int8)
    )
    for row in np.flatnonzero(~known[channel_codes]) if len(channel_codes) else ():
        problems.append(
            Problem(
                int(lines[row]),
                f"unknown channel {channel_names[channel_codes[row]]!r}; channels are {', '.join(CHANNELS)}",
            )
        )

    value = pd.to_numeric(frame["energy_wh"], errors="coerce").to_numpy(np.float64)
    for row in np.flatnonzero(~np.isfinite(value)):
        problems.append(
            Problem(int(lines[row]), f"energy_wh {frame['energy_wh'].iloc[row]!r} is not a number")
        )
    is_soc = channel == CHANNELS.index(SOC)
    finite = np.isfinite(value)
    for row in np.flatnonzero(finite & ~is_soc & (channel >= 0) & (value < 0)):
        problems.append(
            Problem(
                int(lines[row]),
                f"negative energy {value[row]:g} Wh on {CHANNELS[channel[row]]}; "
                "energy channels count energy in one direction and are never negative",
            )
        )
    for row in np.flatnonzero(finite & is_soc & ((value < 0) | (value > 100))):
        problems.append(
            Problem(int(lines[row]), f"soc_pct {value[row]:g} must be between 0 and 100")
        )

    if "unit" in frame.columns:
        units = frame["unit"].str.strip().to_numpy(object)
        for row in np.flatnonzero(units != ""):
            expected = UNIT_OF.get(CHANNELS[channel[row]]) if channel[row] >= 0 else None
            if expected is not None and units[row] != expected:
                problems.append(
                    Problem(
                        int(lines[row]),
                        f"unit {units[row]!r} is wrong for {CHANNELS[channel[row]]}; "
                        f"it must be {expected!r} (convert the value before sending)",
                    )
                )

    server = (
        frame["server"].str.strip().to_numpy(object)
        if "server" in frame.columns
        else np.full(len(frame), "", dtype=object)
    )
    if problems:
        raise TelemetryError(problems)
    return _accept(server, channel, ts_start, interval_s, value, lines)


def _accept(
    server: npt.NDArray[np.object_],
    channel: npt.NDArray[np.int8],
    ts_start: npt.NDArray[np.int64],
    interval_s: npt.NDArray[np.int64],
    value: npt.NDArray[np.float64],
    lines: npt.NDArray[np.int64],
) -> Telemetry:
    telemetry, problems = _deduplicate(server, channel, ts_start, interval_s, value, lines)
    problems += _overlaps(telemetry)
    if problems:
        raise TelemetryError(problems)
    return telemetry


def _deduplicate(
    server: npt.NDArray[np.object_],
    channel: npt.NDArray[np.int8],
    ts_start: npt.NDArray[np.int64],
    interval_s: npt.NDArray[np.int64],
    value: npt.NDArray[np.float64],
    lines: npt.NDArray[np.int64],
) -> tuple[Telemetry, list[Problem]]:
    """Sort by key and drop exact repeats; conflicting repeats are problems."""
    server_codes, _ = pd.factorize(server, sort=True)
    order = np.lexsort((lines, ts_start, channel, server_codes))
    server_codes, server, channel = server_codes[order], server[order], channel[order]
    ts_start, interval_s, value, lines = (
        ts_start[order],
        interval_s[order],
        value[order],
        lines[order],
    )
    same_key = (
        (server_codes[1:] == server_codes[:-1])
        & (channel[1:] == channel[:-1])
        & (ts_start[1:] == ts_start[:-1])
    )
    repeat = np.flatnonzero(same_key) + 1
    conflicting = repeat[
        (interval_s[repeat] != interval_s[repeat - 1]) | (value[repeat] != value[repeat - 1])
    ]
    keep = np.concatenate(([True], ~same_key))
    first_of = np.maximum.accumulate(np.where(keep, np.arange(len(lines)), 0))
    problems = [
        Problem(
            int(lines[row]),
            f"conflicts with line {int(lines[first_of[row]])}: same server, channel and "
            "ts_start but a different interval_s or energy_wh",
        )
        for row in conflicting
    ]
    telemetry = Telemetry(
        server[keep], channel[keep], ts_start[keep], interval_s[keep], value[keep], lines[keep]
    )
    return telemetry, problems


def _overlaps(telemetry: Telemetry) -> list[Problem]:
    """Intervals on one channel that overlap the previous one (rows are sorted)."""
    t = telemetry
    same_series = (t.server[1:] == t.server[:-1]) & (t.channel[1:] == t.channel[:-1])
    overlap = np.flatnonzero(same_series & (t.ts_start[1:] < t.ts_start[:-1] + t.interval_s[:-1]))
    return [
        Problem(
            int(t.line[i + 1]),
            f"{CHANNELS[t.channel[i + 1]]} interval of {int(t.interval_s[i + 1])} s overlaps "
            f"the {int(t.interval_s[i])} s interval on line {int(t.line[i])}",
        )
        for i in overlap
    ]


def write_canonical(telemetry: Telemetry, *, timezone: str = "UTC") -> str:
    """Canonical CSV text for ``telemetry``, start times written in ``timezone``."""
    stamps = pd.to_datetime(telemetry.ts_start, unit="s", utc=True).tz_convert(timezone)
    frame = pd.DataFrame(
        {
            "ts_start": stamps.strftime("%Y-%m-%dT%H:%M:%S%z").str.replace(
                r"(\d\d)(\d\d)$", r"\1:\2", regex=True
            ),
            "interval_s": telemetry.interval_s,
            "channel": np.asarray(CHANNELS, dtype=object)[telemetry.channel],
            "energy_wh": np.round(telemetry.value, 6),
        }
    )
    if len(telemetry) and (telemetry.server != "").any():
        frame["server"] = telemetry.server
    return str(frame.to_csv(index=False, lineterminator="\n"))


def telemetry_from_arrays(
    *,
    channel: Iterable[str],
    ts_start: Iterable[int],
    interval_s: Iterable[int],
    value: Iterable[float],
    line: Iterable[int],
    server: str = "",
) -> Telemetry:
    """Telemetry built by an adapter, checked for repeats and overlaps like a CSV file.

    ``line`` is where each row came from in the adapter's input (a line, or a position).
    """
    names = list(channel)
    codes = np.array([CHANNELS.index(n) for n in names], np.int8)
    starts = np.fromiter(ts_start, np.int64, len(names))
    lengths = np.fromiter(interval_s, np.int64, len(names))
    values = np.fromiter(value, np.float64, len(names))
    lines = np.fromiter(line, np.int64, len(names))
    return _accept(np.full(len(names), server, dtype=object), codes, starts, lengths, values, lines)
