"""A plain site for the pure energy tests: no PV, a lossless 1,000 Wh battery, 10 W load."""

from solhost.energy.site import Site, parse_site

MELBOURNE = "Australia/Melbourne"


def make_site(**overrides) -> Site:
    """The plain site, with SITE.json fields replaced by ``overrides``."""
    document = {
        "latitude": -37.77,
        "longitude": 144.96,
        "timezone": MELBOURNE,
        "pv": {"kwp": 0},
        "battery": {"nominal_wh": 1000, "min_soc_pct": 0, "round_trip_efficiency_pct": 100},
        "inverter_efficiency_pct": 100,
        "essential_load_w": 10,
        "operation_start": "2020-01-01",
    }
    document.update(overrides)
    return parse_site(document)
