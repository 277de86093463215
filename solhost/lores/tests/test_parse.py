"""Reading a LoRes node's answers: strict about what solhost stores, tolerant of the rest."""

import pytest

from solhost.core.problems import InputProblems
from solhost.lores.parse import LatLng, parse_my_regions, parse_region_apps
from solhost.lores.tests import standin


def problems_of(parser, document) -> list[tuple[str, str]]:
    with pytest.raises(InputProblems) as raised:
        parser(document)
    return raised.value.problems


def test_a_node_answer_is_read_with_its_nodes_and_bounds():
    [found] = parse_my_regions(standin.my_regions())
    assert found.region.id == standin.REGION_ID
    assert found.region.organisation_name == "Merri-bek Tech"
    assert found.region.min_latlng == LatLng(-37.79, 144.90)
    assert [n.name for n in found.nodes] == ["mcc-node", "cct-node", "garage-pi"]
    assert found.nodes[0].latlng == LatLng(-37.7672, 144.9751)
    assert found.nodes[2].latlng is None
    assert found.nodes[2].status == "RequestedToJoin"


def test_fields_solhost_does_not_use_are_ignored():
    document = standin.my_regions()
    document[0]["future_field"] = {"anything": [1, 2]}
    document[0]["nodes"][0]["battery_pct"] = 80
    assert parse_my_regions(document)[0].nodes[0].node_id == standin.MCC_NODE


def test_optional_fields_may_be_null_as_the_types_allow():
    document = standin.my_regions()
    document[0]["region"].update(name=None, map=None)
    document[0]["nodes"][0].update(state=None, status=None, status_text=None, name=None)
    [found] = parse_my_regions(document)
    assert (found.region.name, found.region.min_latlng) == ("", None)
    assert (found.nodes[0].state, found.nodes[0].status_text) == ("", "")


def test_every_problem_is_named_with_its_path():
    document = standin.my_regions()
    document[0]["nodes"][2]["latlng"] = {"lat": "north", "lng": 145}
    document[0]["nodes"][1]["state"] = "on fire"
    document[0]["nodes"][0]["id"] = True
    del document[0]["nodes"][0]["node_id"]
    document[0]["region"]["map"]["max_latlng"]["lng"] = 200
    assert problems_of(parse_my_regions, document) == [
        ("$[0].region.map.max_latlng.lng", "outside -180 to 180"),
        ("$[0].nodes[0].id", "not an integer"),
        ("$[0].nodes[0].node_id", "missing"),
        ("$[0].nodes[1].state", "not one of active, inactive, maintenance, development"),
        ("$[0].nodes[2].latlng.lat", "not a number"),
    ]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"region": {}}, [("$", "not a list")]),
        ([7], [("$[0]", "not an object")]),
        ([{"region": {"id": "r"}, "nodes": {}}], [("$[0].nodes", "not a list")]),
        ([{"nodes": []}], [("$[0].region", "not an object")]),
    ],
)
def test_wrong_shapes_are_refused(document, expected):
    assert problems_of(parse_my_regions, document) == expected


def test_region_apps_are_read_with_their_installations():
    apps = parse_region_apps(standin.region_apps())
    assert [(a.name, len(a.installations)) for a in apps] == [
        ("nextcloud", 2),
        ("matrix-synapse", 1),
    ]
    assert apps[0].installations[1].region_node_id == 2


def test_an_installation_without_a_node_is_refused():
    document = standin.region_apps()
    document[0]["installations"][0]["region_node_id"] = "1"
    del document[1]["installations"][0]["version"]
    assert problems_of(parse_region_apps, document) == [
        ("$[0].installations[0].region_node_id", "not an integer"),
        ("$[1].installations[0].version", "missing"),
    ]
