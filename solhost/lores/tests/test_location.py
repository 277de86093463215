"""How far a node's pin is from its server, in metres of the region's projection."""

import pytest

from solhost.lores.location import MISMATCH_METRES, distance_m, location_words


def test_distance_is_measured_in_metres():
    # 0.01° of latitude is about 1,110 m anywhere.
    metres = distance_m((-37.76, 144.97), (-37.77, 144.97), projected_crs="EPSG:7855")
    assert metres == pytest.approx(1110, abs=5)


def test_a_pin_near_the_server_is_not_flagged():
    assert location_words(40.4) == (
        False,
        "The node's pin is 40 m from the server's declared location.",
    )
    assert location_words(MISMATCH_METRES)[0] is False


def test_a_pin_far_from_the_server_is_flagged_in_words():
    flagged, words = location_words(3712)
    assert flagged
    assert words == (
        "The node's pin is 3.7 km from the server's declared location, more than the "
        "2 km expected: one of them may be wrong."
    )
