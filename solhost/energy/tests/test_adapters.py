"""Each adapter on a small file in its real format (the ones shipped in docs/examples)."""

import re
from pathlib import Path

import numpy as np
import pytest

from solhost.energy.adapters import (
    counter_to_energy,
    emoncms_feed,
    home_assistant_statistics,
    power_to_energy,
    solar_protocol_tracer,
    victron_vrm,
)
from solhost.energy.canonical import CHANNELS, TelemetryError

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "energy"


def series(telemetry, channel):
    rows = telemetry.channel == CHANNELS.index(channel)
    return dict(zip(telemetry.ts_start[rows].tolist(), telemetry.value[rows].tolist(), strict=True))


def test_power_readings_become_energy_over_their_interval():
    starts, energy = power_to_energy(np.array([0, 60, 600]), np.array([100.0, 300.0, 50.0]), 300)
    assert starts.tolist() == [0, 600]
    assert energy.tolist() == pytest.approx([200 * 300 / 3600, 50 * 300 / 3600])


def test_a_counter_reset_counts_the_new_reading_as_energy_since_the_reset():
    starts, energy = counter_to_energy(
        np.array([0, 3600, 7200, 10800]), np.array([5000.0, 5030.0, 20.0, 50.0]), 3600
    )
    assert starts.tolist() == [0, 3600, 7200]
    assert energy.tolist() == [30.0, 20.0, 30.0]


def test_counter_gaps_are_shared_over_two_intervals_at_most():
    starts, energy = counter_to_energy(
        np.array([0, 7200, 18000]), np.array([0.0, 40.0, 100.0]), 3600
    )
    assert starts.tolist() == [0, 3600]
    assert energy.tolist() == [20.0, 20.0]


def test_emoncms_power_feed():
    telemetry = emoncms_feed(
        (EXAMPLES / "emoncms-solar-power.json").read_text(), channel="pv_wh", kind="power"
    )
    pv = series(telemetry, "pv_wh")
    assert pv[1768051800] == pytest.approx(40.2 / 6)
    assert 1768053000 not in pv  # a null reading is missing data, not zero
    assert set(telemetry.interval_s.tolist()) == {600}


def test_emoncms_cumulative_feed_in_milliseconds_with_a_reset():
    telemetry = emoncms_feed(
        (EXAMPLES / "emoncms-import-kwh.json").read_text(),
        channel="grid_import_wh",
        kind="cumulative_kwh",
    )
    assert list(series(telemetry, "grid_import_wh").values()) == pytest.approx([10, 15, 4, 15])


def test_emoncms_bad_items_are_reported_by_position():
    with pytest.raises(TelemetryError) as caught:
        emoncms_feed('[[1, 2], [3], [4, "x"]]', channel="pv_wh", kind="power")
    assert [p.line for p in caught.value.problems] == [2, 3]


def test_home_assistant_statistics_state_with_a_meter_reset():
    telemetry = home_assistant_statistics(
        (EXAMPLES / "home-assistant-statistics.csv").read_text(), channel="load_wh"
    )
    load = series(telemetry, "load_wh")
    # Rows close the hour that begins at ``start``: the 01:00 row's increase is 01:00–02:00.
    assert list(load.values()) == pytest.approx([30, 20, 20, 30])
    assert min(load) == 1767963600 + 3600  # 2026-01-10T01:00:00+11:00


def test_home_assistant_statistics_prefers_the_sum():
    text = "start,state,sum\n2026-01-10T00:00:00+00:00,5,100\n2026-01-10T01:00:00+00:00,1,101.5\n"
    assert list(series(home_assistant_statistics(text, channel="pv_wh"), "pv_wh").values()) == [
        1500
    ]


def test_solar_protocol_tracer_csv():
    telemetry = solar_protocol_tracer(
        (EXAMPLES / "solar-protocol-tracer.csv").read_text(), timezone="Australia/Melbourne"
    )
    pv = series(telemetry, "pv_wh")
    assert len(pv) == 4
    assert next(iter(pv.values())) == pytest.approx(34.03 * 120 / 3600)
    assert series(telemetry, "load_wh") == series(telemetry, "essential_load_wh")
    assert list(series(telemetry, "soc_pct").values()) == pytest.approx([76, 70, 67, 63])
    first = min(pv)  # 11:14:50 local (+11:00) falls in the 11:14 two-minute interval
    assert first == 1768004040


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("start,sum\n", "line 1: the file has no readings"),
        ("start,state\n", "line 1: the file has no readings"),
        ("start,mean\n2026-01-01T00:00:00Z,5\n", "line 1: missing column 'sum' or 'state'"),
    ],
)
def test_home_assistant_statistics_without_rows_or_totals_say_which(text, problem):
    with pytest.raises(TelemetryError, match=re.escape(problem)):
        home_assistant_statistics(text, channel="grid_import_wh")


def test_solar_protocol_needs_its_columns():
    with pytest.raises(TelemetryError, match="missing column 'load power'"):
        solar_protocol_tracer("datetime,PV power L\n", timezone="Australia/Melbourne")


def test_victron_vrm_csv():
    telemetry = victron_vrm((EXAMPLES / "victron-vrm.csv").read_text())
    assert series(telemetry, "pv_wh") == {1768006800: 75.0, 1768007700: 60.0, 1768008600: 0.0}
    assert list(series(telemetry, "grid_import_wh").values()) == [0, 0, 10]
    assert list(series(telemetry, "grid_export_wh").values()) == [7.5, 0, 0]
    assert list(series(telemetry, "batt_discharge_wh").values()) == [0, 0, 22.5]
    assert list(series(telemetry, "soc_pct").values()) == [81.5, 82.4, 82.0]


def _read_with(adapter, text: str):
    if adapter is victron_vrm:
        return victron_vrm(text)
    if adapter is solar_protocol_tracer:
        return solar_protocol_tracer(text, timezone="Australia/Melbourne")
    return home_assistant_statistics(text, channel="grid_import_wh")


@pytest.mark.parametrize("adapter", [home_assistant_statistics, solar_protocol_tracer, victron_vrm])
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('"unclosed,quote\n1,2\n', 'line 1: a quote (") opened on this line is never closed'),
        ("a,b,c\nd,e,f\n1,2,3,4\n", "line 3: has 4 cells where line 1 has 3"),
    ],
)
def test_csv_that_cannot_be_read_is_a_problem_on_its_line(adapter, text, problem):
    with pytest.raises(TelemetryError, match=re.escape(problem)):
        _read_with(adapter, text)


def test_a_victron_export_with_nothing_after_its_headers_says_so():
    headers = "System overview [0],System overview [0]\nAustralia/Melbourne,Grid L1\n,W\n"
    with pytest.raises(TelemetryError, match="line 4: the file ends before any rows"):
        victron_vrm(headers)


OUT_OF_RANGE = "is out of range: no meter reading or time is beyond ±1e+15"


def test_an_export_of_huge_readings_names_each_one_by_line_and_column():
    text = "start,sum\n" + "".join(f"2026-01-10T0{h}:00:00+00:00,1e308\n" for h in range(3))
    with pytest.raises(TelemetryError) as caught:
        home_assistant_statistics(text, channel="pv_wh")
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (line, f"sum '1e308' {OUT_OF_RANGE}") for line in (2, 3, 4)
    ]


def test_a_huge_emoncms_value_or_time_is_out_of_range_at_its_position():
    with pytest.raises(TelemetryError) as caught:
        emoncms_feed("[[1768000000, 1e308], [1e16, 5]]", channel="pv_wh", kind="power")
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (1, f"value 1e+308 {OUT_OF_RANGE}"),
        (2, f"timestamp 1e+16 {OUT_OF_RANGE}"),
    ]


def test_readings_up_to_the_largest_become_finite_energy():
    telemetry = emoncms_feed(
        "[[1768000000, 0], [1768000300, 1e15]]", channel="grid_import_wh", kind="cumulative_kwh"
    )
    assert telemetry.value.tolist() == [1e18]
