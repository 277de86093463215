import math

import pytest

from solhost.region.geometry import (
    WGS84,
    BoundaryError,
    Ground,
    coordinate_problems,
    parse_boundary,
    svg_map,
    transformer,
)

SQUARE = [
    [[144.94, -37.78], [144.99, -37.78], [144.99, -37.72], [144.94, -37.72], [144.94, -37.78]]
]


def test_polygon_feature_and_collection_are_accepted():
    polygon = {"type": "Polygon", "coordinates": SQUARE}
    assert parse_boundary(polygon).bounds == (144.94, -37.78, 144.99, -37.72)
    assert parse_boundary({"type": "Feature", "properties": {}, "geometry": polygon}).area > 0
    collection = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": polygon}],
    }
    assert parse_boundary(collection).area > 0
    assert parse_boundary({"type": "MultiPolygon", "coordinates": [SQUARE]}).area > 0


def problems_of(document):
    with pytest.raises(BoundaryError) as caught:
        parse_boundary(document)
    return caught.value.problems


def test_wrong_geometry_type_names_the_type_field():
    assert problems_of({"type": "Point", "coordinates": [144.9, -37.7]}) == [
        ("type", "must be Polygon or MultiPolygon, got 'Point'")
    ]


def test_every_bad_position_is_listed_with_its_path():
    ring = [
        [144.94, -37.78],
        [200.0, -37.78],
        [144.99, "north"],
        [144.94, -37.72],
        [144.94, -37.78],
    ]
    problems = problems_of({"type": "Polygon", "coordinates": [ring]})
    assert problems == [
        ("coordinates[0][1]", "longitude must be between -180 and 180 degrees, got 200.0"),
        ("coordinates[0][2]", "latitude must be a number, got 'north'"),
    ]


def test_paths_inside_a_feature_start_at_its_geometry():
    feature = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [[[1, 2], [3, 4]]]},
    }
    assert problems_of(feature) == [
        ("geometry.coordinates[0]", "a ring needs at least 4 positions, got 2")
    ]


def test_open_ring_and_self_intersection_are_refused():
    open_ring = [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0.5]]]
    assert (
        problems_of({"type": "Polygon", "coordinates": open_ring})[0][1]
        == "a ring must end where it starts"
    )
    bow_tie = [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]
    path, message = problems_of({"type": "Polygon", "coordinates": bow_tie})[0]
    assert path == "coordinates" and "Self-intersection" in message


def test_structural_garbage_gets_a_message_not_a_crash():
    assert problems_of("not json")[0] == ("(document)", "must be a GeoJSON object")
    assert problems_of({"type": "Polygon", "coordinates": []})[0][1].startswith("a polygon must be")
    assert problems_of({"type": "FeatureCollection", "features": []})[0][0] == "features"
    assert problems_of({"type": "MultiPolygon", "coordinates": "x"})[0][0] == "coordinates"


@pytest.mark.parametrize(
    ("lat", "lon", "fields"),
    [
        (-37.7, 144.9, []),
        (90, 180, []),
        (90.01, 0, ["latitude"]),
        (0, -180.5, ["longitude"]),
        (math.nan, 0, ["latitude"]),
        (None, "x", ["latitude", "longitude"]),
    ],
)
def test_coordinate_problems(lat, lon, fields):
    assert [field for field, _ in coordinate_problems(lat, lon)] == fields


def test_svg_map_keeps_points_inside_the_view_and_north_up():
    boundary = parse_boundary({"type": "Polygon", "coordinates": SQUARE})
    drawn = svg_map(boundary, [(144.965, -37.75), (144.94, -37.72)], width=400)
    assert drawn.boundary_path.startswith("M") and drawn.boundary_path.endswith("Z")
    (cx, cy), (nx, ny) = drawn.points
    assert 0 < cx < drawn.width and 0 < cy < drawn.height
    assert ny < cy  # the more northern point is drawn higher up
    assert nx < cx


def test_ground_measures_metres_outside_and_widens_the_boundary():
    from solhost.region.geometry import Ground

    ground = Ground(parse_boundary({"type": "Polygon", "coordinates": SQUARE}), "EPSG:7855")
    assert ground.metres_outside(-37.75, 144.96) == 0
    # 0.004° of longitude at 37.75° south is about 352 m.
    assert round(ground.metres_outside(-37.75, 144.994)) == 352
    widened = ground.widened(1000)
    assert widened.contains(parse_boundary({"type": "Polygon", "coordinates": SQUARE}))
    _west, _south, east, north = widened.bounds
    # 1 km is about 0.0114° of longitude and 0.009° of latitude there.
    assert math.isclose(east - 144.99, 0.0114, abs_tol=0.0003)
    assert math.isclose(north + 37.72, 0.009, abs_tol=0.0003)


@pytest.mark.parametrize(
    ("metres", "anywhere", "expected"),
    [
        (0.0, False, "inside"),
        (0.4, False, "inside"),
        (1000.4, False, "allowance"),
        (1000.6, False, "beyond"),
        (5000.0, True, "anywhere"),
        (0.0, True, "anywhere"),
    ],
)
def test_standing_rounds_to_whole_metres_as_the_s1_check_does(metres, anywhere, expected):
    from solhost.region.geometry import standing

    assert standing(metres, 1000, may_be_anywhere=anywhere) == expected


@pytest.mark.parametrize(
    ("metres", "words"),
    [(352.4, "352 m"), (1000, "1 km"), (2580, "2.6 km"), (99_700, "100 km"), (112_400, "112 km")],
)
def test_distances_in_words(metres, words):
    from solhost.region.geometry import distance_words

    assert distance_words(metres) == words


def test_a_projection_is_made_once_and_serves_every_ground_on_it():
    # Each check of a partner lays the boundary on the ground anew; making the projection
    # each time cost about 15 ms.
    square = parse_boundary(
        {
            "type": "Polygon",
            "coordinates": [
                [
                    [144.94, -37.78],
                    [144.99, -37.78],
                    [144.99, -37.72],
                    [144.94, -37.72],
                    [144.94, -37.78],
                ]
            ],
        }
    )
    first, second = Ground(square, "EPSG:7855"), Ground(square, "EPSG:7855")
    assert first.metres_outside(-37.75, 144.96) == second.metres_outside(-37.75, 144.96) == 0
    assert transformer(WGS84, "EPSG:7855") is transformer(WGS84, "EPSG:7855")
    assert first._to_metric is second._to_metric
