"""SITE.json: the documented example parses, and every problem is named by its path."""

import datetime
import json
from pathlib import Path

import pytest

from solhost.energy.site import SiteError, parse_site, read_site

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "energy" / "SITE.json"


def test_the_documented_example_parses():
    site = read_site(EXAMPLE.read_text())
    assert site.timezone == "Australia/Melbourne"
    assert site.operation_start == datetime.date(2025, 2, 1)
    assert site.usable_battery_wh == pytest.approx(20000 * 0.99 * 0.8)
    assert site.community_installation is not None


def test_optional_fields_take_the_power_system_defaults():
    site = parse_site(
        {
            "latitude": -37.8,
            "longitude": 145.0,
            "timezone": "Australia/Melbourne",
            "pv": {"kwp": 1},
            "battery": {"nominal_wh": 1000},
            "essential_load_w": 10,
            "operation_start": "2026-01-01",
        }
    )
    assert (site.pv_tilt_deg, site.battery_min_soc_pct, site.inverter_efficiency_pct) == (
        20,
        20,
        95,
    )
    assert site.grid_connected
    assert site.battery_accounting == "single_pool"


def test_battery_accounting_is_one_pool_or_two():
    document = json.loads(EXAMPLE.read_text())
    document["battery_accounting"] = "two_pool"
    assert parse_site(document).battery_accounting == "two_pool"
    document["battery_accounting"] = "three_pools"
    with pytest.raises(SiteError) as caught:
        parse_site(document)
    assert caught.value.problems == [
        (
            "battery_accounting",
            "must be one of 'single_pool', 'two_pool', got 'three_pools'",
        )
    ]


def test_every_problem_is_listed_by_json_path():
    document = json.loads(EXAMPLE.read_text())
    document["battery"]["min_soc_pct"] = 120
    document["pv"]["kwp"] = "lots"
    document["timezone"] = "Melbourne"
    document["colour"] = "green"
    del document["essential_load_w"]
    with pytest.raises(SiteError) as caught:
        parse_site(document)
    paths = [path for path, _ in caught.value.problems]
    assert sorted(paths) == sorted(
        ["colour", "pv.kwp", "battery.min_soc_pct", "essential_load_w", "timezone"]
    )


def test_text_that_is_not_json_is_one_problem():
    with pytest.raises(SiteError, match="not valid JSON"):
        read_site("{")
