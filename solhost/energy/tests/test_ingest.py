import numpy as np
import pytest

from solhost.energy.canonical import TelemetryError, read_canonical
from solhost.energy.ingest import UploadOptions, conflicts_with_stored, read_upload, span_coverage

ZONE = "Australia/Melbourne"
CSV = """ts_start,interval_s,channel,energy_wh
2026-01-10T00:00:00+11:00,3600,load_wh,22
2026-01-10T01:00:00+11:00,3600,load_wh,21
2026-01-10T03:00:00+11:00,3600,load_wh,20
"""


def test_rows_become_the_servers():
    telemetry = read_upload(CSV, UploadOptions(), server="mcc-1", timezone=ZONE)
    assert set(telemetry.server) == {"mcc-1"}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (UploadOptions(format="excel"), "format 'excel' is not known"),
        (UploadOptions(format="emoncms"), "say which channel"),
        (UploadOptions(format="home_assistant", channel="soc_pct"), "say which channel"),
        (UploadOptions(format="emoncms", channel="pv_wh", kind="amps"), "kind 'amps'"),
    ],
)
def test_bad_options_are_problems_of_line_zero(options, expected):
    with pytest.raises(TelemetryError) as error:
        read_upload("[]", options, server="mcc-1", timezone=ZONE)
    assert error.value.problems[0].line == 0
    assert expected in error.value.problems[0].message


def test_an_empty_file_is_refused():
    with pytest.raises(TelemetryError, match="line 1: the file is empty"):
        read_upload("  \n", UploadOptions(), server="mcc-1", timezone=ZONE)


def test_coverage_is_the_share_of_the_span_with_data():
    telemetry = read_canonical(CSV)
    assert span_coverage(telemetry) == pytest.approx(3 / 4)


def test_overlapping_channels_count_once_for_coverage():
    text = CSV + "2026-01-10T00:00:00+11:00,7200,pv_wh,5\n"
    assert span_coverage(read_canonical(text)) == pytest.approx(3 / 4)


def test_rows_equal_to_stored_ones_are_no_problem():
    stored = read_canonical(CSV)
    assert conflicts_with_stored(read_canonical(CSV), stored) == []


def test_a_different_value_for_a_stored_key_is_a_conflict():
    stored = read_canonical(CSV)
    new = read_canonical(CSV.replace(",21", ",25"))
    problems = conflicts_with_stored(new, stored)
    assert [p.line for p in problems] == [3]
    assert "21 stored" in problems[0].message


def test_an_interval_overlapping_a_stored_one_of_another_length_is_a_problem():
    stored = read_canonical(CSV)
    new = read_canonical(
        "ts_start,interval_s,channel,energy_wh\n"
        "2026-01-10T02:30:00+11:00,1800,load_wh,5\n"
        "2026-01-10T02:00:00+11:00,1800,load_wh,5\n"
        "2026-01-10T00:30:00+11:00,1800,pv_wh,5\n"
    )
    problems = conflicts_with_stored(new, stored)
    # 02:30–03:00 touches 03:00 only at its end; 02:00–02:30 is in the gap; pv is another channel.
    assert problems == []
    clash = read_canonical(
        "ts_start,interval_s,channel,energy_wh\n2026-01-10T00:30:00+11:00,1800,load_wh,5\n"
    )
    assert [p.line for p in conflicts_with_stored(clash, stored)] == [2]
    longer = read_canonical(
        "ts_start,interval_s,channel,energy_wh\n2026-01-10T02:00:00+11:00,7200,load_wh,5\n"
    )
    assert [p.line for p in conflicts_with_stored(longer, stored)] == [2]


def test_nothing_stored_means_no_conflicts():
    empty = read_canonical(CSV).for_server("nobody")
    assert conflicts_with_stored(read_canonical(CSV), empty) == []
    assert np.size(empty.value) == 0
