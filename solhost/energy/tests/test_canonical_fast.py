"""The fast CSV reader gives exactly what the precise one gives, or leaves the file to it.

``read_canonical`` first tries typed columns (``_fast_rows``); when that path declines or
fails, the precise reader (``_precise_rows``, the row-by-row reader it has always been)
reads the file. Each test compares ``read_canonical`` with the precise reader alone on the
same text: the same arrays, dtypes and float bits for a good file, the same problems with
the same lines and messages (or the same exception) for a bad one.
"""

import io
import random

import numpy as np
import pandas as pd
import pytest

from solhost.energy.canonical import (
    CHANNELS,
    Telemetry,
    TelemetryError,
    _accept,
    _fast_rows,
    _precise_rows,
    read_canonical,
    telemetry_from_arrays,
    write_canonical,
)

HEADER = "ts_start,interval_s,channel,energy_wh"
# Melbourne leaves daylight saving at 03:00 on 5 April 2026 (the hour from 02:00 comes
# twice) and starts it at 02:00 on 5 October 2025 (that hour never comes).
AUTUMN_CHANGE = 1775318400 - 2 * 3600
SPRING_CHANGE = 1759593600 - 3 * 3600


def precise(text: str) -> Telemetry:
    """The reader as it was before the fast path: every row read as text and checked."""
    return _accept(*_precise_rows(text))


def outcome(read, text: str) -> tuple:
    try:
        telemetry = read(text)
    except TelemetryError as error:
        return ("problems", [(p.line, p.message) for p in error.problems], str(error))
    except Exception as error:  # whatever the reader raised, it must raise again
        return ("exception", type(error).__name__, str(error))
    arrays = (
        telemetry.server,
        telemetry.channel,
        telemetry.ts_start,
        telemetry.interval_s,
        telemetry.value,
        telemetry.line,
    )
    return (
        "telemetry",
        [(a.dtype.str, a.tolist() if a.dtype == object else a.tobytes().hex()) for a in arrays],
    )


def takes_fast_path(text: str) -> bool:
    """Whether read_canonical keeps what the fast path read (it falls back if that raises)."""
    try:
        return _fast_rows(text) is not None
    except Exception:
        return False


def assert_same_as_precise(text: str) -> tuple:
    expected = outcome(precise, text)
    assert outcome(read_canonical, text) == expected
    return expected


def local(seconds: int, zone: str) -> str:
    return pd.Timestamp(seconds, unit="s", tz="UTC").tz_convert(zone).isoformat()


def site_rows(
    rng: random.Random,
    *,
    start: int,
    step: int,
    slots: int,
    channels: list[str],
    zone: str = "Australia/Melbourne",
    server: str | None = None,
    unit: bool = False,
) -> list[dict[str, str]]:
    rows = []
    for channel in channels:
        for slot in range(slots):
            value = rng.choice([rng.uniform(0, 100), rng.randint(0, 400), 0.0])
            if channel == "soc_pct":
                value = min(value, 100)
            text = rng.choice([repr(value), f"{value:.6g}", f"{value:.3f}"])
            row = {
                "ts_start": local(start + slot * step, zone),
                "interval_s": str(step),
                "channel": channel,
                "energy_wh": text,
            }
            if server is not None:
                row["server"] = server
            if unit:
                row["unit"] = rng.choice(["", "%" if channel == "soc_pct" else "Wh"])
            rows.append(row)
    return rows


def csv(rows: list[dict[str, str]], columns: list[str] | None = None, newline="\n") -> str:
    columns = columns or list(rows[0])
    lines = [",".join(columns), *(",".join(row[c] for c in columns) for row in rows)]
    return newline.join(lines) + newline


def good_files() -> list[str]:
    rng = random.Random(20260405)
    five = ["pv_wh", "load_wh", "grid_import_wh", "batt_charge_wh", "soc_pct"]
    files = [
        # Through the autumn change, offsets +11:00 then +10:00, in file order by channel.
        csv(site_rows(rng, start=AUTUMN_CHANGE, step=300, slots=48, channels=five)),
        # Through the spring change, 15-minute data, rows shuffled.
        csv(
            rng.sample(
                rows := site_rows(rng, start=SPRING_CHANGE, step=900, slots=24, channels=five),
                len(rows),
            )
        ),
        # Hourly data in UTC, written with Z and some with a space for the T, time by time.
        csv(
            sorted(
                site_rows(
                    rng,
                    start=AUTUMN_CHANGE,
                    step=3600,
                    slots=30,
                    channels=list(CHANNELS),
                    zone="UTC",
                ),
                key=lambda row: row["ts_start"],
            )
        )
        .replace("+00:00", "Z")
        .replace("T1", " 1"),
        # Other offsets, and two servers with a unit column, columns in another order.
        csv(
            site_rows(
                rng,
                start=SPRING_CHANGE,
                step=300,
                slots=20,
                channels=five,
                zone="America/New_York",
                server="lores-1",
                unit=True,
            )
            + site_rows(
                rng,
                start=SPRING_CHANGE,
                step=300,
                slots=20,
                channels=five,
                zone="Asia/Kolkata",
                server="lores-2",
                unit=True,
            ),
            ["server", "channel", "ts_start", "energy_wh", "unit", "interval_s"],
        ),
        # Windows line ends, 5-, 15- and 60-minute channels side by side.
        csv(
            site_rows(rng, start=AUTUMN_CHANGE, step=300, slots=36, channels=["pv_wh"])
            + site_rows(rng, start=AUTUMN_CHANGE, step=900, slots=12, channels=["load_wh"])
            + site_rows(rng, start=AUTUMN_CHANGE, step=3600, slots=3, channels=["soc_pct"]),
            newline="\r\n",
        ),
    ]
    # Rows sent twice are kept once; an exact repeat is no problem.
    rows = site_rows(rng, start=AUTUMN_CHANGE, step=300, slots=10, channels=five)
    files.append(csv(rows + rng.sample(rows, 7)))
    return files


@pytest.mark.parametrize("text", good_files())
def test_a_good_file_takes_the_fast_path_and_gives_the_precise_readers_arrays(text):
    assert takes_fast_path(text)
    assert assert_same_as_precise(text)[0] == "telemetry"


def test_the_fast_path_reads_times_across_a_daylight_saving_change():
    text = (
        "ts_start,interval_s,channel,energy_wh,server\n"
        "2026-04-05T02:30:00+11:00,1800,load_wh,1.25,lores-1\n"
        "2026-04-05T02:00:00+10:00,3600,load_wh,0.1,lores-1\n"
        "2026-04-05T02:00:00+11:00,1800,load_wh,3,lores-1\n"
        "2026-04-04T15:00:00Z,900,soc_pct,100,lores-1\n"
        "2026-04-05T03:00:00+10:00,300,pv_wh,1e3,\n"
    )
    assert takes_fast_path(text)
    telemetry = read_canonical(text)
    assert telemetry.keys() == [
        ("", "pv_wh", 1775322000),
        ("lores-1", "load_wh", 1775314800),
        ("lores-1", "load_wh", 1775316600),
        ("lores-1", "load_wh", 1775318400),
        ("lores-1", "soc_pct", 1775314800),
    ]
    assert telemetry.interval_s.tolist() == [300, 1800, 1800, 3600, 900]
    assert telemetry.value.tolist() == [1000.0, 3.0, 1.25, 0.1, 100.0]
    assert telemetry.line.tolist() == [6, 4, 2, 3, 5]
    assert_same_as_precise(text)


def test_a_site_year_in_write_canonical_form_takes_the_fast_path():
    rng = np.random.default_rng(4)
    slots = 2000
    names = np.repeat(np.array(["pv_wh", "load_wh", "soc_pct"], dtype=object), slots)
    starts = np.tile(AUTUMN_CHANGE - 86400 + 300 * np.arange(slots), 3)
    values = rng.uniform(0, 100, 3 * slots)
    text = write_canonical(
        telemetry_from_arrays(
            channel=names.tolist(),
            ts_start=starts.tolist(),
            interval_s=[300] * len(names),
            value=values.tolist(),
            line=range(len(names)),
        ),
        timezone="Australia/Melbourne",
    )
    assert takes_fast_path(text)
    assert assert_same_as_precise(text)[0] == "telemetry"


ROW = "2026-01-01T00:00:00+11:00,300,pv_wh,4"
BAD_FILES = {
    "no offset": f"{HEADER}\n2026-01-01T00:00:00,300,pv_wh,4\n",
    "impossible date": f"{HEADER}\n2026-02-30T00:00:00+11:00,300,pv_wh,4\n",
    "not a time": f"{HEADER}\nyesterday,300,pv_wh,4\n",
    "fraction of a second": f"{HEADER}\n2026-01-01T00:00:00.5+11:00,300,pv_wh,4\n",
    "hour 24": f"{HEADER}\n2026-01-01T24:00:00Z,300,pv_wh,4\n",
    "offset without colon": f"{HEADER}\n2026-01-01T00:00:00+1100,300,pv_wh,4\n",
    "lower-case z": f"{HEADER}\n2026-01-01T00:00:00z,300,pv_wh,4\n",
    "text after the offset": f"{HEADER}\n2026-01-01T00:00:00+11:00x,300,pv_wh,4\n",
    "negative energy": f"{HEADER}\n{ROW}\n2026-01-01T00:00:00+11:00,300,grid_export_wh,-4\n",
    "state of charge over 100": f"{HEADER}\n2026-01-01T00:00:00+11:00,300,soc_pct,100.5\n",
    "negative state of charge": f"{HEADER}\n2026-01-01T00:00:00+11:00,300,soc_pct,-1\n",
    "not a number": f"{HEADER}\n2026-01-01T00:00:00+11:00,300,pv_wh,abc\n",
    "infinite": f"{HEADER}\n2026-01-01T00:00:00+11:00,300,pv_wh,inf\n",
    "nan": f"{HEADER}\n2026-01-01T00:00:00+11:00,300,pv_wh,nan\n",
    "empty energy": f"{HEADER}\n2026-01-01T00:00:00+11:00,300,pv_wh,\n",
    "zero interval": f"{HEADER}\n2026-01-01T00:00:00+11:00,0,pv_wh,4\n",
    "signed interval": f"{HEADER}\n2026-01-01T00:00:00+11:00,+300,pv_wh,4\n",
    "fractional interval": f"{HEADER}\n2026-01-01T00:00:00+11:00,300.0,pv_wh,4\n",
    "ten-digit interval": f"{HEADER}\n2026-01-01T00:00:00+11:00,1234567890,pv_wh,4\n",
    "unknown channel": f"{HEADER}\n2026-01-01T00:00:00+11:00,300,wind_wh,4\n",
    "empty channel": f"{HEADER}\n2026-01-01T00:00:00+11:00,300,,4\n",
    "wrong unit": "ts_start,interval_s,channel,energy_wh,unit\n"
    "2026-01-01T00:00:00+11:00,300,pv_wh,4,Wh\n"
    "2026-01-01T00:05:00+11:00,300,pv_wh,0.004,kWh\n"
    "2026-01-01T00:05:00+11:00,300,soc_pct,40,Wh\n",
    "unit in the header": "ts_start,interval_s,channel,energy_kwh\n"
    "2026-01-01T00:00:00+11:00,300,pv_wh,4\n",
    "unknown column": f"{HEADER},notes\n{ROW},x\n",
    "missing column": "ts_start,channel,energy_wh\n2026-01-01T00:00:00+11:00,pv_wh,4\n",
    "a column twice": f"{HEADER},channel\n{ROW},pv_wh\n",
    "conflicting repeat": f"{HEADER}\n{ROW}\n2026-01-01T00:00:00+11:00,300,pv_wh,5\n",
    "conflicting interval": f"{HEADER}\n{ROW}\n2026-01-01T00:00:00+11:00,600,pv_wh,4\n",
    "overlapping intervals": f"{HEADER}\n2026-01-01T00:00:00+11:00,600,pv_wh,4\n"
    "2026-01-01T00:05:00+11:00,300,pv_wh,2\n2026-01-01T00:05:00+11:00,300,load_wh,2\n",
    "overlap across servers and a repeat": "ts_start,interval_s,channel,energy_wh,server\n"
    "2026-01-01T00:00:00+11:00,600,pv_wh,4,b\n2026-01-01T00:05:00+11:00,300,pv_wh,2,b\n"
    "2026-01-01T00:05:00+11:00,300,pv_wh,2,a\n2026-01-01T00:05:00+11:00,300,pv_wh,3,a\n",
    "every kind at once": f"{HEADER}\n2026-01-01T00:00:00,300,pv_wh,4\n"
    "2026-01-01T00:00:00+11:00,300,nope,1\n2026-01-01T00:00:00+11:00,x,load_wh,-1\n",
    "empty file": "",
    "header only": f"{HEADER}\n",
    "too many fields": f"{HEADER}\n{ROW},5\n",
}


@pytest.mark.parametrize("text", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_gets_the_precise_readers_problems(text):
    result = assert_same_as_precise(text)
    assert result[0] in ("problems", "exception")
    if result[0] == "problems" and not all(
        "conflicts with" in message or "overlaps the" in message for _, message in result[1]
    ):
        # A problem with a row itself is for the precise reader to find and report.
        assert not takes_fast_path(text)


ODD_BUT_ACCEPTED = {
    "blank line": f"{HEADER}\n{ROW}\n\n2026-01-01T00:05:00+11:00,300,pv_wh,4\n",
    "row of empty fields": f"{HEADER}\n{ROW}\n,,,\n",
    "no newline at the end": f"{HEADER}\n{ROW}",
    "spaces in the header": "ts_start, interval_s, channel, energy_wh\n" + ROW + "\n",
    "quoted fields": f'{HEADER}\n"2026-01-01T00:00:00+11:00","300","pv_wh","4"\n',
    "spaces before fields": f"{HEADER}\n2026-01-01T00:00:00+11:00, 300, pv_wh, 4\n",
    "space after a channel": f"{HEADER}\n2026-01-01T00:00:00+11:00,300,pv_wh ,4\n",
    "space around a server": f"{HEADER},server\n{ROW}, a \n",
    "time to the minute": f"{HEADER}\n2026-01-01T00:00+11:00,300,pv_wh,4\n",
    "milliseconds of zero": f"{HEADER}\n2026-01-01T00:00:00.000+11:00,300,pv_wh,4\n",
    "leading zeros": f"{HEADER}\n2026-01-01T00:00:00+11:00,0300,pv_wh,004.50\n",
    "nine-digit interval": f"{HEADER}\n2026-01-01T00:00:00+11:00,999999999,pv_wh,4\n",
    "huge integer energy": f"{HEADER}\n2026-01-01T00:00:00+11:00,300,pv_wh,12345678901234567890\n",
    "numeric server names": f"{HEADER},server\n{ROW},1\n{ROW},01\n{ROW},1.0\n",
    "empty unit": f"{HEADER},unit\n{ROW},\n",
    "negative zero": f"{HEADER}\n2026-01-01T00:00:00+11:00,300,grid_export_wh,-0\n",
    "negative zero among fractions": f"{HEADER}\n{ROW}.5\n"
    "2026-01-01T00:00:00+11:00,300,grid_export_wh,-0\n",
    "byte order mark": f"\ufeff{HEADER}\n{ROW}\n",
    "lone carriage returns": f"{HEADER}\r{ROW}\r",
    "non-ASCII server": f"{HEADER},server\n{ROW},sérveur-ü\n",
}


@pytest.mark.parametrize("text", ODD_BUT_ACCEPTED.values(), ids=ODD_BUT_ACCEPTED.keys())
def test_unusual_but_good_files_read_exactly_as_before(text):
    assert assert_same_as_precise(text)[0] == "telemetry"


def test_the_c_parsers_floats_are_pd_to_numerics_to_the_bit():
    rng = random.Random(53)
    texts = []
    for _ in range(20_000):
        digits = "".join(rng.choices("0123456789", k=rng.randint(1, 24)))
        texts.append(
            rng.choice(
                [
                    repr(rng.uniform(0, 1e4)),
                    f"{rng.uniform(0, 10):.{rng.randint(1, 20)}f}e{rng.randint(-330, 330)}",
                    f"{digits[:-1] or '0'}.{digits[-1]}{digits}",
                    f"0.{'0' * rng.randint(0, 25)}{digits}",
                    f"{rng.uniform(0, 1):.6g}",
                    digits[:15],
                ]
            )
        )
    text = "energy_wh\n" + "\n".join(texts) + "\n"
    typed = pd.read_csv(
        io.StringIO(text), dtype={"energy_wh": np.float64}, engine="c", low_memory=False
    )["energy_wh"].to_numpy()
    as_text = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)["energy_wh"]
    converted = pd.to_numeric(as_text, errors="coerce").to_numpy(np.float64)
    assert typed.tobytes() == converted.tobytes()


def mutated_file(rng: random.Random) -> str:
    """A small good file, then perhaps a few fields or lines spoiled."""
    channels = rng.sample(list(CHANNELS), rng.randint(1, 4))
    rows = site_rows(
        rng,
        start=rng.choice([AUTUMN_CHANGE, SPRING_CHANGE]),
        step=rng.choice([300, 900, 3600]),
        slots=rng.randint(1, 12),
        channels=channels,
        zone=rng.choice(["Australia/Melbourne", "UTC", "America/New_York"]),
        server=rng.choice([None, "a", "lores-1"]),
        unit=rng.random() < 0.3,
    )
    if rng.random() < 0.5:
        rng.shuffle(rows)
    spoil = {
        "ts_start": ["2026-01-01T00:00:00", "2026-02-30T00:00:00+11:00", "x", ""],
        "interval_s": ["0", "-300", " 300", "300.0", "abc", "", "600", "60"],
        "channel": ["wind_wh", " pv_wh", "PV_WH", "", "soc_pct"],
        "energy_wh": ["-4", "-0", "abc", "", "inf", "101", "1e3", " 2", '"7"'],
        "server": ["", " a", "b"],
        "unit": ["kWh", "W", "Wh", "%", "", " Wh"],
    }
    for _ in range(rng.choice([0, 0, 1, 2])):
        row = rng.choice(rows)
        column = rng.choice([c for c in spoil if c in row])
        row[column] = rng.choice(spoil[column])
    for _ in range(rng.choice([0, 0, 0, 1, 2])):
        rows.append(dict(rng.choice(rows)))
    text = csv(rows, newline=rng.choice(["\n", "\n", "\r\n"]))
    if rng.random() < 0.1:
        lines = text.split("\n")
        lines.insert(rng.randint(1, len(lines) - 1), rng.choice(["", ",,,", "x,y,z,w,v,u,t"]))
        text = "\n".join(lines)
    return text


def test_randomly_spoiled_files_read_exactly_as_before():
    rng = random.Random(7)
    fast = 0
    for _ in range(150):
        text = mutated_file(rng)
        assert_same_as_precise(text)
        fast += takes_fast_path(text)
    assert fast > 30  # most files are left whole and take the fast path


IN_ORDER = f"{HEADER}\n{ROW}\n2026-01-01T00:05:00+11:00,300,pv_wh,4\n"
OUT_OF_ORDER_WITH_A_REPEAT = f"{HEADER}\n2026-01-01T00:05:00+11:00,300,pv_wh,4\n{ROW}\n{ROW}\n"


@pytest.mark.parametrize(
    "text",
    [
        IN_ORDER,
        OUT_OF_ORDER_WITH_A_REPEAT,
        good_files()[0],
        # Left to the precise reader, whose pandas may give a read-only view of the values.
        f"{HEADER}\n{ROW}.5\n\n2026-01-01T00:05:00+11:00,300,pv_wh,4.5\n",
    ],
)
def test_telemetry_owns_writable_arrays_on_either_path(text):
    for read in (read_canonical, precise):
        telemetry = read(text)
        for array in (
            telemetry.server,
            telemetry.channel,
            telemetry.ts_start,
            telemetry.interval_s,
            telemetry.value,
            telemetry.line,
        ):
            assert array.flags.writeable and array.flags.owndata


def test_servers_are_coded_as_pd_factorize_sorts_them():
    text = f"{HEADER},server\n{ROW},b\n{ROW},a\n{ROW},c\n{ROW},a\n{ROW},\n"
    fast = _fast_rows(text)
    assert fast is not None
    rows, server_codes = fast
    assert server_codes.tolist() == pd.factorize(rows[0], sort=True)[0].tolist()


def test_rows_already_in_order_give_what_sorting_them_gives():
    rng = random.Random(3)
    for _ in range(50):
        n = rng.randint(1, 30)
        rows = sorted(
            (rng.choice(CHANNELS[:3]), rng.choice([0, 300, 600]), line, value)
            for line, value in zip(
                rng.sample(range(100), n), rng.choices([1.0, 2.0], k=n), strict=True
            )
        )
        shuffled = rng.sample(rows, n)

        def arrays(rows):
            channel, ts_start, line, value = zip(*rows, strict=True)
            return {
                "channel": channel,
                "ts_start": ts_start,
                "interval_s": [300] * len(rows),
                "line": line,
                "value": value,
            }

        in_order = outcome(lambda _, rows=rows: telemetry_from_arrays(**arrays(rows)), "")
        out_of_order = outcome(lambda _, rows=shuffled: telemetry_from_arrays(**arrays(rows)), "")
        assert in_order == out_of_order
