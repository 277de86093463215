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
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from solhost.core.csv_text import csv_records
from solhost.core.safe_json import whole_number

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
# Times are kept as seconds since 1970, and read through nanoseconds, which end in 2262.
EARLIEST: Final = pd.Timestamp("1970-01-01", tz="UTC")
LATEST: Final = pd.Timestamp("2262-01-01", tz="UTC")
# Shown in an error's message; the error object keeps every problem.
MESSAGE_PROBLEMS: Final = 20

# Server, channel, ts_start, interval_s, value and line of each row, in file order.
Rows = tuple[
    npt.NDArray[np.object_],
    npt.NDArray[np.int8],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
]


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


def csv_frame(text: str, **options: Any) -> pd.DataFrame:
    """``pd.read_csv`` of ``text`` with ``options``, or TelemetryError naming the line that
    can't be read, never one of pandas' own errors: a quote never closed, or a record with
    more cells than the first (which pandas would otherwise take for an index)."""
    skipped = int(options.get("skiprows", 0))
    try:
        frame = pd.read_csv(io.StringIO(text), on_bad_lines="error", **options)
    except pd.errors.EmptyDataError:
        raise TelemetryError([Problem(skipped + 1, "the file ends before any rows")]) from None
    except pd.errors.ParserError:
        pass
    else:
        if frame.index.equals(pd.RangeIndex(len(frame))):
            return frame
    raise TelemetryError([_unreadable_record(text, skipped=skipped)])


def _unreadable_record(text: str, *, skipped: int) -> Problem:
    """Where and why pandas could not read ``text`` past its first ``skipped`` records."""
    first = None
    for record in itertools.islice(csv_records(text, strict=True), skipped, None):
        if record.problem:
            return Problem(record.line, record.problem)
        if first is None:
            first = record
        elif len(record.cells) > len(first.cells):
            return Problem(
                record.line,
                f"has {len(record.cells)} cells where line {first.line} has {len(first.cells)}; "
                "a cell that holds a comma must be quoted",
            )
    return Problem(skipped + 1, "cannot be read as CSV")


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


def _whole_seconds(text: str) -> int:
    """An interval's seconds from its text, or 0 (refused as a problem on its line) for
    anything but one to nine ASCII digits."""
    text = text.strip()
    seconds = whole_number(text) if len(text) <= 9 else None
    return seconds if seconds is not None else 0


def _header_problems(columns: list[str]) -> list[Problem]:
    """Problems with the header line's column names, each name as it is in the file."""
    problems = []
    for position, column in enumerate(columns, start=1):
        if not column:
            problems.append(Problem(1, f"column {position} has no name"))
        elif column in columns[: position - 1]:
            continue  # reported once, with the repeat below
        elif column in WRONG_UNIT_COLUMNS:
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
    for column in dict.fromkeys(columns):
        if column and (count := columns.count(column)) > 1:
            problems.append(
                Problem(
                    1,
                    f"column {column!r} appears {count} times in the header; name each column once",
                )
            )
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
    out_of_range = np.asarray((parsed < EARLIEST) | (parsed >= LATEST), bool)
    parsed = parsed.where(~out_of_range)
    nanoseconds = parsed.to_numpy("datetime64[ns]").astype(np.int64)
    invalid = np.asarray(parsed.isna(), bool)
    fractional = ~invalid & (nanoseconds % 1_000_000_000 != 0)
    seconds = np.where(invalid | fractional, -1, nanoseconds // 1_000_000_000)
    for row in np.flatnonzero((invalid | fractional)[codes]):
        value = distinct[codes[row]]
        if out_of_range[codes[row]]:
            message = (
                f"ts_start {value!r} is out of range: dates from {EARLIEST.year} to "
                f"{LATEST.year - 1} are accepted"
            )
        elif fractional[codes[row]]:
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
    try:
        fast = _fast_rows(text)
    except Exception:
        # Whatever the fast reader trips on, the precise one decides (and reports it).
        fast = None
    if fast is None:
        return _accept(*_precise_rows(text))
    rows, server_codes = fast
    return _accept(*rows, server_codes)


def _precise_rows(text: str) -> Rows:
    """Every row of ``text`` read as text and checked one by one, or every problem raised."""
    if not text.strip():
        raise TelemetryError([Problem(1, "the file is empty; a header line is needed")])
    read = {
        "dtype": str,
        "keep_default_na": False,
        "skip_blank_lines": False,
        "skipinitialspace": True,
    }
    # The header read as a row: as a header, pandas renames a repeated "x" to "x.1".
    columns = [str(c).strip() for c in csv_frame(text, header=None, nrows=1, **read).iloc[0]]
    problems = _header_problems(columns)
    if problems:
        raise TelemetryError(problems)
    frame = csv_frame(text, **read)
    frame.columns = pd.Index(columns)

    blank = np.logical_and.reduce([frame[c].to_numpy(object) == "" for c in columns])
    lines_all = np.arange(2, len(frame) + 2, dtype=np.int64)
    frame = frame.loc[~blank]
    lines = lines_all[~blank]

    ts_start = _parse_timestamps(frame["ts_start"], lines, problems)

    # Intervals and channels take few distinct values: validate each distinct text once.
    interval_codes, interval_texts = pd.factorize(frame["interval_s"])
    interval_of = np.array(
        [_whole_seconds(t) for t in interval_texts],
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
    return server, channel, ts_start, interval_s, value, lines


# The fast reader reads ts_start, interval_s, channel and unit as fixed-width bytes: each
# text must leave the last byte of its width empty, so that none was cut short. Timestamps
# take the two forms write_canonical and most loggers write, "2026-01-10T00:00:00+11:00"
# and "2026-01-10T00:00:00Z" (or a space for the T).
_FAST_WIDTHS: Final = {"ts_start": 32, "interval_s": 8, "channel": 24, "unit": 8}
_DATE_DIGITS: Final = np.array([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18])
_OFFSET_DIGITS: Final = np.array([20, 21, 23, 24])
# Exact integers in float64, so an integer text means the same as an integer or a float.
_LARGEST_EXACT: Final = 2.0**53
_MIX: Final = np.uint64(0x9E3779B97F4A7C15)


def _fast_rows(text: str) -> tuple[Rows, npt.NDArray[np.intp]] | None:
    """The rows of a file the precise reader accepts row by row, read with typed columns,
    and their servers' codes for :func:`_deduplicate`.

    The same arrays as :func:`_precise_rows` gives, in far less time: pandas' C parser turns
    ``energy_wh`` into floats itself (the conversion ``pd.to_numeric`` makes, which the tests
    check), and gives the other columns as bytes, so that each distinct text is found
    without making a Python string per row and then parsed or looked up once. Anything this
    path does not handle, or that is or might be a problem, gives None, and the precise
    reader reads the file again to report exactly what it reports.
    """
    end = text.find("\n")
    columns = text[: max(end, 0)].removesuffix("\r").split(",")
    # A NUL would hide the end of a text read as bytes.
    if end < 0 or _header_problems(columns) or "\x00" in text:
        return None
    frame = pd.read_csv(
        io.BytesIO(text.encode()),
        dtype={
            column: f"S{_FAST_WIDTHS[column]}"
            if column in _FAST_WIDTHS
            else np.float64
            if column == "energy_wh"
            else object
            for column in columns
        },
        keep_default_na=False,
        skip_blank_lines=False,
        skipinitialspace=True,
        on_bad_lines="error",
        engine="c",
        low_memory=False,
    )
    if (
        list(frame.columns) != columns
        or not frame.index.equals(pd.RangeIndex(len(frame)))
        or not len(frame)
    ):
        return None

    ts_start = _fast_timestamps(frame["ts_start"].to_numpy())
    if ts_start is None:
        return None

    intervals = _distinct_texts(frame["interval_s"].to_numpy())
    if intervals is None:
        return None
    interval_codes, interval_texts = intervals
    interval_of = np.array(
        [_whole_seconds(t) for t in interval_texts],
        np.int64,
    )
    if (interval_of <= 0).any():
        return None
    interval_s = interval_of[interval_codes]

    channels = _distinct_texts(frame["channel"].to_numpy())
    if channels is None:
        return None
    channel_codes, channel_texts = channels
    names = [t.strip() for t in channel_texts]
    if not set(names) <= set(CHANNELS):
        return None
    channel = np.array([CHANNELS.index(n) for n in names], np.int8)[channel_codes]

    value = frame["energy_wh"].to_numpy(np.float64)
    # Only plain non-negative numbers: pd.to_numeric reads "-0" as 0 in a column of
    # integers, and an integer beyond float precision may round otherwise.
    if not (
        np.isfinite(value).all()
        and not np.signbit(value).any()
        and (value < _LARGEST_EXACT).all()
        and (value[channel == CHANNELS.index(SOC)] <= 100).all()
    ):
        return None

    if "unit" in frame.columns:
        units = _distinct_texts(frame["unit"].to_numpy())
        # A unit with space around it is left to the precise reader, whose pandas strips it.
        if units is None or any(u != u.strip() for u in units[1]):
            return None
        right = np.array([[u in ("", UNIT_OF[c]) for c in CHANNELS] for u in units[1]], bool)
        if not right[units[0], channel].all():
            return None

    if "server" in frame.columns:
        server_codes, servers = pd.factorize(frame["server"].to_numpy(object))
        if (server_codes < 0).any() or any(
            not isinstance(s, str) or s != s.strip() for s in servers
        ):
            return None
        server = np.asarray(servers, dtype=object)[server_codes]
        # Each distinct server's place in sorted order, as pd.factorize(server, sort=True).
        server_codes = pd.factorize(np.asarray(servers, dtype=object), sort=True)[0][server_codes]
    else:
        server = np.full(len(frame), "", dtype=object)
        server_codes = np.zeros(len(frame), np.intp)
    lines = np.arange(2, len(frame) + 2, dtype=np.int64)
    return (server, channel, ts_start, interval_s, value, lines), server_codes


def _group_bytes(
    raw: npt.NDArray[np.bytes_],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]] | None:
    """Rows of equal bytes grouped: each row's group, numbered in order of first appearance,
    and a row of each group; None if some text fills its width (it may be cut short)."""
    words = np.ascontiguousarray(raw).view("<u8").reshape(len(raw), -1)
    if (words[:, -1] >> np.uint64(56)).any():
        return None
    mixed = words[:, 0].copy()
    for k in range(1, words.shape[1]):
        mixed *= _MIX
        mixed ^= words[:, k]
    codes, distinct = pd.factorize(mixed)
    # Some row of each group (which one does not matter: they are checked to be equal).
    row_of = np.empty(len(distinct), np.intp)
    row_of[codes] = np.arange(len(codes))
    for k in range(words.shape[1]):
        if (words[row_of, k][codes] != words[:, k]).any():
            return None  # two texts mixed to the same number: vanishingly rare
    return codes, row_of


def _distinct_texts(
    raw: npt.NDArray[np.bytes_],
) -> tuple[npt.NDArray[np.intp], list[str]] | None:
    """Each row's index into the distinct texts of a column read as bytes, and those texts."""
    groups = _group_bytes(raw)
    if groups is None:
        return None
    codes, row_of = groups
    return codes, [b.decode() for b in raw[row_of].tolist()]


def _fast_timestamps(raw: npt.NDArray[np.bytes_]) -> npt.NDArray[np.int64] | None:
    """UTC seconds for ISO 8601 bytes, or None unless every one is a well-formed whole second.

    Each distinct text is parsed once, by the very call :func:`_parse_timestamps` makes on
    the same texts in the same order.
    """
    groups = _group_bytes(raw)
    if groups is None:
        return None
    codes, row_of = groups
    distinct = raw[row_of]
    chars = distinct.view(np.uint8).reshape(len(distinct), -1)
    digit = chars - np.uint8(ord("0"))  # anything below "0" wraps round to a large number
    long_form = chars[:, 19] != ord("Z")
    well_formed = (
        (digit[:, _DATE_DIGITS] < 10).all(axis=1)
        & (chars[:, 4] == ord("-"))
        & (chars[:, 7] == ord("-"))
        & ((chars[:, 10] == ord("T")) | (chars[:, 10] == ord(" ")))
        & (chars[:, 13] == ord(":"))
        & (chars[:, 16] == ord(":"))
        & np.where(
            long_form,
            ((chars[:, 19] == ord("+")) | (chars[:, 19] == ord("-")))
            & (digit[:, _OFFSET_DIGITS] < 10).all(axis=1)
            & (chars[:, 22] == ord(":"))
            & (chars[:, 25:] == 0).all(axis=1),
            (chars[:, 20:] == 0).all(axis=1),
        )
    )
    if not well_formed.all():
        return None
    # These texts all match TIMESTAMP + OFFSET, so this is what _parse_timestamps parses.
    parsed = pd.to_datetime(
        pd.Series([b.decode() for b in distinct.tolist()], dtype=object).astype(str),
        format="ISO8601",
        utc=True,
        errors="coerce",
    )
    if parsed.isna().any() or ((parsed < EARLIEST) | (parsed >= LATEST)).any():
        return None
    nanoseconds = parsed.to_numpy("datetime64[ns]").astype(np.int64)
    if (nanoseconds % 1_000_000_000 != 0).any():
        return None
    return np.asarray((nanoseconds // 1_000_000_000)[codes], np.int64)


def _accept(
    server: npt.NDArray[np.object_],
    channel: npt.NDArray[np.int8],
    ts_start: npt.NDArray[np.int64],
    interval_s: npt.NDArray[np.int64],
    value: npt.NDArray[np.float64],
    lines: npt.NDArray[np.int64],
    server_codes: npt.NDArray[np.intp] | None = None,
) -> Telemetry:
    if not len(channel):
        raise TelemetryError([Problem(1, "the file has no readings: nothing to store")])
    telemetry, problems = _deduplicate(
        server, channel, ts_start, interval_s, value, lines, server_codes
    )
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
    server_codes: npt.NDArray[np.intp] | None = None,
) -> tuple[Telemetry, list[Problem]]:
    """Sort by key and drop exact repeats; conflicting repeats are problems.

    ``server_codes``, if given, must be ``pd.factorize(server, sort=True)[0]``. The arrays
    are the caller's to give away: rows already in order, without repeats, are kept as given.
    """
    if server_codes is None:
        server_codes, _ = pd.factorize(server, sort=True)
    # Rows already in order (as write_canonical writes them) would be sorted to where they are.
    if not _in_order(server_codes, channel, ts_start, lines):
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
    if len(repeat):
        server, channel, ts_start = server[keep], channel[keep], ts_start[keep]
        interval_s, value, lines = interval_s[keep], value[keep], lines[keep]
    elif len(keep) != len(lines):
        # No rows at all: indexing with ``keep`` fails, as it always has.
        server = server[keep]
    else:
        # Telemetry's arrays are its own and writable, as indexing makes them; pandas may
        # have given a read-only view.
        server, channel, ts_start = _own(server), _own(channel), _own(ts_start)
        interval_s, value, lines = _own(interval_s), _own(value), _own(lines)
    return Telemetry(server, channel, ts_start, interval_s, value, lines), problems


def _own(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    return array if array.flags.owndata and array.flags.writeable else array.copy()


def _in_order(*keys: npt.NDArray[Any]) -> bool:
    """Whether a stable sort on ``keys`` (the first the most significant) keeps every row
    where it is."""
    in_order = keys[-1][1:] >= keys[-1][:-1]
    for key in reversed(keys[:-1]):
        in_order = (key[1:] > key[:-1]) | ((key[1:] == key[:-1]) & in_order)
    return bool(in_order.all())


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
