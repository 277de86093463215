"""One uploaded telemetry file, in any supported format, as one server's canonical rows.

Pure: no Django. The upload page and the API both come through :func:`read_upload`, so a
file is judged the same way whichever door it comes in by: every problem with its line (or,
for a JSON list, its position), and nothing accepted from a file with any problem.
"""

from dataclasses import dataclass
from typing import Final

import numpy as np

from solhost.energy import adapters
from solhost.energy.canonical import (
    ENERGY_CHANNELS,
    Problem,
    Telemetry,
    TelemetryError,
    read_canonical,
)

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
