"""The canonical telemetry CSV: every kind of problem with its line, and idempotent keys."""

import pytest

from solhost.energy.canonical import TelemetryError, read_canonical, write_canonical

HEADER = "ts_start,interval_s,channel,energy_wh\n"


def problems_of(text: str) -> list[tuple[int, str]]:
    with pytest.raises(TelemetryError) as caught:
        read_canonical(text)
    return [(p.line, p.message) for p in caught.value.problems]


def test_a_good_file_gives_utc_seconds_sorted_by_channel_and_time():
    telemetry = read_canonical(
        HEADER
        + "2026-01-01T00:05:00+11:00,300,load_wh,10\n"
        + "2026-01-01T00:00:00+11:00,300,load_wh,12.5\n"
        + "2025-12-31T13:00:00Z,300,soc_pct,50\n"
    )
    assert telemetry.keys() == [
        ("", "load_wh", 1767186000),
        ("", "load_wh", 1767186300),
        ("", "soc_pct", 1767186000),
    ]
    assert telemetry.value.tolist() == [12.5, 10.0, 50.0]
    assert telemetry.line.tolist() == [3, 2, 4]


def test_bad_timestamps_are_reported_with_their_lines():
    problems = problems_of(
        HEADER
        + "2026-01-01T00:00:00,300,load_wh,1\n"
        + "2026-02-30T00:00:00+11:00,300,load_wh,1\n"
        + "yesterday,300,load_wh,1\n"
    )
    assert [line for line, _ in problems] == [2, 3, 4]
    assert "no UTC offset" in problems[0][1]
    assert "not an ISO 8601" in problems[1][1]


def test_negative_energy_and_impossible_state_of_charge_are_refused():
    problems = problems_of(
        HEADER
        + "2026-01-01T00:00:00+11:00,300,grid_export_wh,-4\n"
        + "2026-01-01T00:00:00+11:00,300,soc_pct,101\n"
        + "2026-01-01T00:00:00+11:00,300,pv_wh,abc\n"
    )
    assert problems == [
        (
            2,
            "negative energy -4 Wh on grid_export_wh; energy channels count energy in one direction and are never negative",
        ),
        (3, "soc_pct 101 must be between 0 and 100"),
        (4, "energy_wh 'abc' is not a number"),
    ]


def test_unknown_channels_and_bad_intervals_are_refused():
    problems = problems_of(
        HEADER
        + "2026-01-01T00:00:00+11:00,300,wind_wh,4\n"
        + "2026-01-01T00:00:00+11:00,0,pv_wh,4\n"
    )
    assert problems[0][0] == 2 and "unknown channel 'wind_wh'" in problems[0][1]
    assert problems[1][0] == 3 and "interval_s '0'" in problems[1][1]


def test_an_interval_of_digits_int_cannot_read_is_a_problem_on_its_line():
    # "²" is a digit to str.isdigit but not to int(): the upload was a server error.
    problems = problems_of(HEADER + "2026-01-01T00:00:00+11:00,²,pv_wh,4\n")
    assert problems[0][0] == 2 and "interval_s '²'" in problems[0][1]


def test_a_wrong_unit_in_the_header_or_a_unit_column_is_refused():
    assert problems_of("ts_start,interval_s,channel,energy_kwh\n")[0] == (
        1,
        "column 'energy_kwh' is in kWh; energy must be given in Wh in a column named 'energy_wh'",
    )
    problems = problems_of(
        "ts_start,interval_s,channel,energy_wh,unit\n"
        + "2026-01-01T00:00:00+11:00,300,pv_wh,4,Wh\n"
        + "2026-01-01T00:05:00+11:00,300,pv_wh,0.004,kWh\n"
        + "2026-01-01T00:05:00+11:00,300,load_wh,40,W\n"
    )
    assert [line for line, _ in problems] == [3, 4]
    assert "unit 'kWh' is wrong for pv_wh" in problems[0][1]


def test_overlapping_intervals_of_different_lengths_are_refused():
    problems = problems_of(
        HEADER
        + "2026-01-01T00:00:00+11:00,600,pv_wh,4\n"
        + "2026-01-01T00:05:00+11:00,300,pv_wh,2\n"
        + "2026-01-01T00:05:00+11:00,300,load_wh,2\n"
    )
    assert problems == [(3, "pv_wh interval of 300 s overlaps the 600 s interval on line 2")]


def test_exact_repeats_are_dropped_and_conflicting_repeats_refused():
    row = "2026-01-01T00:00:00+11:00,300,pv_wh,4\n"
    assert len(read_canonical(HEADER + row + row)) == 1
    problems = problems_of(HEADER + row + "2026-01-01T00:00:00+11:00,300,pv_wh,5\n")
    assert problems == [
        (
            3,
            "conflicts with line 2: same server, channel and ts_start but a different interval_s or energy_wh",
        )
    ]


def test_every_problem_of_a_file_is_reported_at_once():
    problems = problems_of(
        HEADER
        + "2026-01-01T00:00:00,300,pv_wh,4\n"
        + "2026-01-01T00:00:00+11:00,300,nope,1\n"
        + "2026-01-01T00:00:00+11:00,x,load_wh,-1\n"
    )
    assert [line for line, _ in problems] == [2, 3, 4, 4]


def test_the_same_row_from_two_servers_is_two_rows():
    text = "ts_start,interval_s,channel,energy_wh,server\n"
    text += "2026-01-01T00:00:00+11:00,300,pv_wh,4,a\n2026-01-01T00:00:00+11:00,300,pv_wh,4,b\n"
    telemetry = read_canonical(text)
    assert telemetry.servers == ["a", "b"]
    assert len(telemetry.for_server("b")) == 1


def test_written_csv_reads_back_to_the_same_rows():
    text = (
        HEADER
        + "2026-04-05T02:30:00+10:00,300,load_wh,1.25\n2026-04-05T02:30:00+11:00,300,load_wh,2\n"
    )
    telemetry = read_canonical(text)
    again = read_canonical(write_canonical(telemetry, timezone="Australia/Melbourne"))
    assert again.keys() == telemetry.keys()
    assert again.value.tolist() == telemetry.value.tolist()


@pytest.mark.parametrize(
    "stamp", ["0001-01-01T00:00:00Z", "9999-12-31T23:55:00+10:00", "1969-12-31T23:59:59Z"]
)
def test_a_date_outside_the_years_telemetry_can_hold_is_out_of_range(stamp):
    assert problems_of(HEADER + f"{stamp},300,pv_wh,1\n") == [
        (2, f"ts_start {stamp!r} is out of range: dates from 1970 to 2261 are accepted")
    ]


def test_the_first_and_last_second_of_the_range_are_read():
    telemetry = read_canonical(
        HEADER + "1970-01-01T00:00:00Z,300,pv_wh,1\n2261-12-31T23:55:00Z,300,pv_wh,1\n"
    )
    assert telemetry.ts_start.tolist() == [0, 9214646100]


def test_a_repeated_column_is_named_as_in_the_header():
    names = "x," * 11
    assert problems_of(
        f"ts_start,interval_s,channel,energy_wh,{names}energy_wh\n2026-01-10T00:00:00Z,300,pv_wh"
        + ",1" * 13
        + "\n"
    ) == [
        (1, "column 'energy_wh' appears 2 times in the header; name each column once"),
        (1, "column 'x' appears 11 times in the header; name each column once"),
        (1, "unknown column 'x'"),
    ]


def test_a_column_without_a_name_is_named_by_its_place():
    assert problems_of(
        "ts_start,interval_s,channel,energy_wh,\n2026-01-10T00:00:00Z,300,pv_wh,1,\n"
    ) == [(1, "column 5 has no name")]


def test_a_quote_never_closed_is_named_by_the_line_it_opens_on():
    text = HEADER + "2026-01-01T00:00:00Z,300,load_wh,1\n" + '"2026-01-01T00:05:00Z,300,load_wh,1\n'
    assert problems_of(text) == [(3, 'a quote (") opened on this line is never closed')]
    assert problems_of('"ts_start,interval_s\n') == [
        (1, 'a quote (") opened on this line is never closed')
    ]


def test_a_row_with_more_cells_than_the_header_is_named_by_its_line():
    """pandas would take the first cells of such a row for an index and shift the rest."""
    text = (
        HEADER
        + '"2026-01-01T00:00:00Z\n",300,load_wh,1\n'
        + "2026-01-01T00:05:00Z,300,load_wh,1,5\n"
    )
    assert problems_of(text) == [
        (4, "has 5 cells where line 1 has 4; a cell that holds a comma must be quoted")
    ]
