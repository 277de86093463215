"""Reading a LoRes node's public API answers into plain values. Pure: no Django.

The shapes follow lores-node's ``backend/lores-node-axum/src/data/entities.rs``
(``RegionWithNodes``, ``RegionNodeDetails``, ``RegionAppWithInstallations``).
The reader is strict about what solhost stores and tolerant of fields it does not use, so
a newer node that adds fields still syncs. Every problem is reported at once with its path
(``$[0].nodes[2].latlng.lat: not a number``).
"""

import math
from dataclasses import dataclass

from solhost.core.problems import InputProblems
from solhost.core.safe_json import LARGEST_KEY

NODE_STATUSES = ("RequestedToJoin", "Member")
NODE_STATES = ("active", "inactive", "maintenance", "development")
# The longest values solhost stores (the columns' lengths): longer ones are not what a node
# sends, and refusing them here keeps a database error from ever reaching the steward.
MAX_TEXT = 200
MAX_KEY = 128
MAX_DOMAIN = 253
MAX_URL = 500
MAX_VERSION = 100
MAX_STATUS_TEXT = 2000


@dataclass(frozen=True)
class LatLng:
    lat: float
    lng: float


@dataclass(frozen=True)
class LoresRegionData:
    id: str
    name: str
    slug: str
    organisation_name: str
    organisation_url: str
    min_latlng: LatLng | None
    max_latlng: LatLng | None


@dataclass(frozen=True)
class LoresNodeData:
    id: int
    node_id: str
    name: str
    status: str
    state: str
    status_text: str
    public_ipv4: str
    domain_on_local_network: str
    domain_on_internet: str
    latlng: LatLng | None


@dataclass(frozen=True)
class RegionWithNodes:
    region: LoresRegionData
    nodes: tuple[LoresNodeData, ...]


@dataclass(frozen=True)
class Installation:
    app_name: str
    region_node_id: int
    version: str


@dataclass(frozen=True)
class RegionApp:
    name: str
    region_id: str
    installations: tuple[Installation, ...]


class _Reader:
    """Collects problems while reading one document, so all are reported together."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append((where, message))

    def obj(self, value: object, where: str) -> dict[str, object] | None:
        if not isinstance(value, dict):
            self.fail(where, "not an object")
            return None
        return value

    def array(self, value: object, where: str) -> list[object]:
        if not isinstance(value, list):
            self.fail(where, "not a list")
            return []
        return value

    def text(
        self,
        data: dict[str, object],
        key: str,
        where: str,
        *,
        optional: bool,
        max_length: int = MAX_TEXT,
    ) -> str:
        value = data.get(key)
        if value is None:
            if not optional:
                self.fail(f"{where}.{key}", "missing")
            return ""
        if not isinstance(value, str):
            self.fail(f"{where}.{key}", "not a string")
            return ""
        if len(value) > max_length:
            self.fail(f"{where}.{key}", f"longer than {max_length} characters")
            return ""
        return value

    def integer(self, data: dict[str, object], key: str, where: str) -> int:
        value = data.get(key)
        # JSON true is a bool, which Python counts as an int; a node id is never one.
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(f"{where}.{key}", "missing" if value is None else "not an integer")
            return 0
        if not 0 <= value <= LARGEST_KEY:
            self.fail(f"{where}.{key}", "not an id (0 to 2⁶³ − 1)")
            return 0
        return value

    def choice(
        self, data: dict[str, object], key: str, where: str, choices: tuple[str, ...]
    ) -> str:
        value = self.text(data, key, where, optional=True)
        if value and value not in choices:
            self.fail(f"{where}.{key}", f"not one of {', '.join(choices)}")
            return ""
        return value

    def number(self, data: dict[str, object], key: str, where: str, limit: float) -> float:
        value = data.get(key)
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not math.isfinite(value)
        ):
            self.fail(f"{where}.{key}", "missing" if value is None else "not a number")
            return 0.0
        if abs(value) > limit:
            self.fail(f"{where}.{key}", f"outside -{limit:g} to {limit:g}")
        return float(value)

    def latlng(self, value: object, where: str) -> LatLng | None:
        if value is None:
            return None
        data = self.obj(value, where)
        if data is None:
            return None
        return LatLng(self.number(data, "lat", where, 90), self.number(data, "lng", where, 180))

    def done(self) -> None:
        if self.problems:
            raise InputProblems(self.problems)


def parse_my_regions(document: object) -> list[RegionWithNodes]:
    """``GET /public_api/my_regions/``: the node's regions, each with its nodes."""
    reader = _Reader()
    regions = []
    for i, item in enumerate(reader.array(document, "$")):
        where = f"$[{i}]"
        data = reader.obj(item, where)
        if data is None:
            continue
        region = reader.obj(data.get("region"), f"{where}.region")
        nodes = reader.array(data.get("nodes"), f"{where}.nodes")
        if region is None:
            continue
        regions.append(
            RegionWithNodes(
                _region(reader, region, f"{where}.region"),
                tuple(
                    node
                    for j, raw in enumerate(nodes)
                    if (node := _node(reader, raw, f"{where}.nodes[{j}]")) is not None
                ),
            )
        )
    reader.done()
    return regions


def _region(reader: _Reader, data: dict[str, object], where: str) -> LoresRegionData:
    region_id = reader.text(data, "id", where, optional=False, max_length=MAX_KEY)
    bounds: tuple[LatLng | None, LatLng | None] = (None, None)
    if data.get("map") is not None and (map_data := reader.obj(data["map"], f"{where}.map")):
        bounds = (
            reader.latlng(map_data.get("min_latlng"), f"{where}.map.min_latlng"),
            reader.latlng(map_data.get("max_latlng"), f"{where}.map.max_latlng"),
        )
    return LoresRegionData(
        id=region_id,
        name=reader.text(data, "name", where, optional=True),
        slug=reader.text(data, "slug", where, optional=True),
        organisation_name=reader.text(data, "organisation_name", where, optional=True),
        organisation_url=reader.text(
            data, "organisation_url", where, optional=True, max_length=MAX_URL
        ),
        min_latlng=bounds[0],
        max_latlng=bounds[1],
    )


def _node(reader: _Reader, raw: object, where: str) -> LoresNodeData | None:
    data = reader.obj(raw, where)
    if data is None:
        return None
    return LoresNodeData(
        id=reader.integer(data, "id", where),
        node_id=reader.text(data, "node_id", where, optional=False, max_length=MAX_KEY),
        name=reader.text(data, "name", where, optional=True),
        status=reader.choice(data, "status", where, NODE_STATUSES),
        state=reader.choice(data, "state", where, NODE_STATES),
        status_text=reader.text(
            data, "status_text", where, optional=True, max_length=MAX_STATUS_TEXT
        ),
        public_ipv4=reader.text(data, "public_ipv4", where, optional=True, max_length=64),
        domain_on_local_network=reader.text(
            data, "domain_on_local_network", where, optional=True, max_length=MAX_DOMAIN
        ),
        domain_on_internet=reader.text(
            data, "domain_on_internet", where, optional=True, max_length=MAX_DOMAIN
        ),
        latlng=reader.latlng(data.get("latlng"), f"{where}.latlng"),
    )


def parse_region_apps(document: object) -> list[RegionApp]:
    """``GET /public_api/region_apps/``: the region's apps and the nodes they are installed on."""
    reader = _Reader()
    apps = []
    for i, item in enumerate(reader.array(document, "$")):
        where = f"$[{i}]"
        data = reader.obj(item, where)
        if data is None:
            continue
        installations = []
        for j, raw in enumerate(reader.array(data.get("installations"), f"{where}.installations")):
            at = f"{where}.installations[{j}]"
            if (inst := reader.obj(raw, at)) is not None:
                installations.append(
                    Installation(
                        app_name=reader.text(inst, "app_name", at, optional=False),
                        region_node_id=reader.integer(inst, "region_node_id", at),
                        version=reader.text(
                            inst, "version", at, optional=False, max_length=MAX_VERSION
                        ),
                    )
                )
        apps.append(
            RegionApp(
                name=reader.text(data, "name", where, optional=False),
                region_id=reader.text(data, "region_id", where, optional=False, max_length=MAX_KEY),
                installations=tuple(installations),
            )
        )
    reader.done()
    return apps
