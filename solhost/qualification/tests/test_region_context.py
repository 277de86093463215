import pytest

from solhost.qualification.tests.builders import REGION, east_of_boundary


@pytest.mark.parametrize("metres", [0.5, 999, 1001, 25_000])
def test_distance_outside_is_measured_in_metres_in_the_regions_projection(metres):
    point = east_of_boundary(metres)
    assert REGION.metres_outside(point.latitude, point.longitude) == pytest.approx(metres, abs=1e-6)


def test_points_inside_are_zero_metres_outside():
    point = east_of_boundary(-300)
    assert REGION.metres_outside(point.latitude, point.longitude) == 0
