import datetime

import numpy as np
import pytest

from solhost.energy.canonical import TelemetryError, read_canonical
from solhost.energy.ingest import (
    Plausibility,
    UploadOptions,
    conflicts_with_stored,
    implausible,
    read_upload,
    span_coverage,
)
from solhost.energy.tests.sites import make_site

ZONE = "Australia/Melbourne"
HEADER = "ts_start,interval_s,channel,energy_wh\n"
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


# 2026-01-10T12:00:00+11:00, when the readings below arrive.
NOW = 1768006800


def limits(site=None, **overrides) -> Plausibility:
    values = {
        "now": NOW,
        "operation_started": datetime.date(2026, 1, 10),
        "timezone": ZONE,
        "margin_bp": 20000,
        "max_site_power_w": 1_000_000,
        "site": site,
    }
    return Plausibility(**values | overrides)


def refused(text: str, limits: Plausibility) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in implausible(read_canonical(text), limits)]


def test_plausible_readings_are_no_problem():
    assert refused(CSV, limits(make_site(pv={"kwp": 0.5}))) == []


def test_a_reading_ending_in_the_future_is_refused_beyond_a_clocks_skew():
    text = CSV + "2026-01-10T12:10:00+11:00,300,load_wh,2\n2026-01-10T12:15:00+11:00,60,load_wh,1\n"
    assert refused(text, limits()) == [
        (
            6,
            "the load_wh reading ends at 2026-01-10T01:16:00Z, in the future (it is now "
            "2026-01-10T01:00:00Z); check the logger's clock and time zone",
        )
    ]


def test_a_reading_before_the_servers_first_day_is_refused():
    text = CSV + "2026-01-09T23:00:00+11:00,3600,load_wh,2\n"
    assert refused(text, limits()) == [
        (
            5,
            "the load_wh reading starts at 2026-01-09T12:00:00Z, before 2026-01-10, the day "
            "the server began operating",
        )
    ]


def test_without_a_power_system_only_the_bound_for_any_site_applies():
    text = HEADER + "".join(
        f"2026-01-10T0{hour}:00:00+11:00,3600,{channel},{energy}\n"
        for hour, (channel, energy) in enumerate(
            [("pv_wh", 1e6), ("pv_wh", 1e15), ("load_wh", 1e300), ("soc_pct", 100)]
        )
    )
    assert refused(text, limits()) == [
        (
            3,
            "pv_wh 1e+15 Wh in 3600 s is more than any one site may draw or produce "
            "(1,000,000 W on average): at most 1e+06 Wh",
        ),
        (
            4,
            "load_wh 1e+300 Wh in 3600 s is more than any one site may draw or produce "
            "(1,000,000 W on average): at most 1e+06 Wh",
        ),
    ]


def one_interval(**energy: float) -> str:
    """Five minutes from 11:00 on each channel given."""
    return HEADER + "".join(
        f"2026-01-10T11:00:00+11:00,300,{channel},{wh}\n" for channel, wh in energy.items()
    )


def test_pv_beyond_the_declared_panels_and_the_margin_is_refused():
    site = make_site(pv={"kwp": 0.6})  # at most 0.6 kW × 2 × 1/12 h = 100 Wh
    assert refused(one_interval(pv_wh=100), limits(site)) == []
    assert refused(one_interval(pv_wh=100.1), limits(site)) == [
        (
            2,
            "pv_wh 100.1 Wh in 300 s is more than the declared 0.6 kWp of panels can produce, "
            "with a margin of 2×: at most 100 Wh",
        )
    ]
    assert refused(one_interval(pv_wh=100.1), limits(site, margin_bp=30000)) == []


def test_the_battery_moves_at_most_its_capacity_an_hour_with_the_margin():
    site = make_site()  # 1,000 Wh: 2,000 W with the margin, 166.7 Wh in five minutes
    assert refused(one_interval(batt_charge_wh=166, batt_discharge_wh=166), limits(site)) == []
    assert [
        message
        for _, message in refused(
            one_interval(batt_charge_wh=167, batt_discharge_wh=167), limits(site)
        )
    ] == [
        f"{channel} 167 Wh in 300 s is more than the declared 1000 Wh battery at one full "
        f"charge an hour can {verb}, with a margin of 2×: at most 166.667 Wh"
        for channel, verb in (("batt_charge_wh", "take in"), ("batt_discharge_wh", "give"))
    ]


def test_export_is_at_most_what_panels_and_battery_give():
    site = make_site(pv={"kwp": 0.6})  # 100 + 166.7 Wh in five minutes
    assert refused(one_interval(grid_export_wh=266), limits(site)) == []
    assert [line for line, _ in refused(one_interval(grid_export_wh=267), limits(site))] == [2]


def test_an_off_grid_site_neither_imports_nor_exports_and_its_load_is_what_it_makes():
    site = make_site(pv={"kwp": 0.6}, grid_connected=False)
    assert refused(one_interval(load_wh=266, grid_import_wh=0), limits(site)) == []
    assert refused(one_interval(load_wh=267, grid_import_wh=0.5), limits(site)) == [
        (
            2,
            "load_wh 267 Wh in 300 s is more than the declared 0.6 kWp of panels and the "
            "declared 1000 Wh battery at one full charge an hour can supply, with a margin of "
            "2×: at most 266.667 Wh",
        ),
        (
            3,
            "grid_import_wh 0.5 Wh in 300 s is more than a site the power system says is off "
            "the grid exchanges with it: at most 0 Wh",
        ),
    ]


def test_a_grid_connected_load_is_bounded_only_as_any_sites():
    site = make_site()
    assert refused(one_interval(load_wh=80_000), limits(site)) == []
    assert [line for line, _ in refused(one_interval(load_wh=90_000), limits(site))] == [2]


def test_a_community_installation_feeds_an_off_grid_load_of_unknown_size():
    site = make_site(grid_connected=False, community_installation={"name": "Coburg solar"})
    assert refused(one_interval(load_wh=80_000, community_renewable_wh=80_000), limits(site)) == []
