"""The region's boundary and points on it, as plain geometry. Pure: no Django.

Boundaries are GeoJSON in WGS 84 longitude/latitude (RFC 7946). Every problem found is
reported with its path inside the document, e.g. ``coordinates[0][3]``.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property

import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point, Polygon, shape
from shapely.validation import explain_validity

from solhost.core.problems import InputProblems

BOUNDARY_TYPES = ("Polygon", "MultiPolygon")
WGS84 = "EPSG:4326"


class BoundaryError(InputProblems):
    """A boundary document with problems; ``problems`` lists ``(path, message)`` pairs."""


def coordinate_problems(lat: object, lon: object) -> list[tuple[str, str]]:
    """Problems with one WGS 84 position, as ``(field, message)`` pairs; empty when valid."""
    problems = []
    for name, value, limit in (("latitude", lat, 90), ("longitude", lon, 180)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append((name, f"must be a number, got {value!r}"))
        elif not math.isfinite(value) or not -limit <= value <= limit:
            problems.append((name, f"must be between -{limit} and {limit} degrees, got {value}"))
    return problems


def _ring_problems(ring: object, path: str) -> list[tuple[str, str]]:
    if not isinstance(ring, list):
        return [(path, "a ring must be a list of positions")]
    problems = []
    for i, position in enumerate(ring):
        here = f"{path}[{i}]"
        if not isinstance(position, list) or len(position) not in (2, 3):
            problems.append((here, "a position must be [longitude, latitude]"))
            continue
        for field, message in coordinate_problems(position[1], position[0]):
            problems.append((here, f"{field} {message}"))
    if problems:
        return problems
    if len(ring) < 4:
        problems.append((path, f"a ring needs at least 4 positions, got {len(ring)}"))
    elif ring[0][:2] != ring[-1][:2]:
        problems.append((path, "a ring must end where it starts"))
    return problems


def _polygon_problems(rings: object, path: str) -> list[tuple[str, str]]:
    if not isinstance(rings, list) or not rings:
        return [(path, "a polygon must be a non-empty list of rings")]
    problems = []
    for i, ring in enumerate(rings):
        problems += _ring_problems(ring, f"{path}[{i}]")
    return problems


def _geometry_of(document: object) -> tuple[object, str]:
    """Unwrap a Feature, or a FeatureCollection of one feature, to its geometry and path."""
    if isinstance(document, dict) and document.get("type") == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise BoundaryError(
                [("features", "a boundary collection must hold exactly one feature")]
            )
        return _geometry_of_feature(features[0], "features[0].")
    if isinstance(document, dict) and document.get("type") == "Feature":
        return _geometry_of_feature(document, "")
    return document, ""


def _geometry_of_feature(feature: object, prefix: str) -> tuple[object, str]:
    if not isinstance(feature, dict) or "geometry" not in feature:
        raise BoundaryError([(prefix.rstrip(".") or "(document)", "a feature needs a geometry")])
    return feature["geometry"], f"{prefix}geometry."


def parse_boundary(document: object) -> Polygon | MultiPolygon:
    """Check a GeoJSON boundary and return it as a shapely geometry.

    Args:
        document: decoded GeoJSON: a Polygon or MultiPolygon, or a Feature (or a
            FeatureCollection of one Feature) holding one.

    Raises:
        BoundaryError listing every problem with its path.
    """
    geometry, prefix = _geometry_of(document)
    if not isinstance(geometry, dict):
        raise BoundaryError([(prefix.rstrip(".") or "(document)", "must be a GeoJSON object")])
    kind = geometry.get("type")
    if kind not in BOUNDARY_TYPES:
        raise BoundaryError([(f"{prefix}type", f"must be Polygon or MultiPolygon, got {kind!r}")])
    coordinates = geometry.get("coordinates")
    path = f"{prefix}coordinates"
    if kind == "Polygon":
        problems = _polygon_problems(coordinates, path)
    elif not isinstance(coordinates, list) or not coordinates:
        problems = [(path, "a multipolygon must be a non-empty list of polygons")]
    else:
        problems = [
            p
            for i, rings in enumerate(coordinates)
            for p in _polygon_problems(rings, f"{path}[{i}]")
        ]
    if problems:
        raise BoundaryError(problems)
    parsed = shape(geometry)
    if not parsed.is_valid:
        raise BoundaryError(
            [(path, f"the outline is not a valid area: {explain_validity(parsed)}")]
        )
    if parsed.area == 0:
        raise BoundaryError([(path, "the outline encloses no area")])
    return parsed


@dataclass(frozen=True)
class SvgMap:
    """A boundary and points drawn into a ``width`` x ``height`` SVG view box."""

    width: int
    height: int
    boundary_path: str
    points: list[tuple[float, float]]


def svg_map(
    boundary: Polygon | MultiPolygon,
    points: Sequence[tuple[float, float]],
    *,
    width: int = 400,
    margin: float = 0.08,
) -> SvgMap:
    """Project the boundary and (longitude, latitude) points for a small static map.

    An equirectangular projection squeezed by cos(latitude) is true enough in shape for a
    region a few kilometres wide; it is for drawing only, never for distances.
    """
    lons = [x for x, _ in _exterior_points(boundary)] + [p[0] for p in points]
    lats = [y for _, y in _exterior_points(boundary)] + [p[1] for p in points]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    squeeze = math.cos(math.radians((north + south) / 2))
    span_x = (east - west) * squeeze or 1e-9
    span_y = (north - south) or 1e-9
    inner = width * (1 - 2 * margin)
    scale = inner / max(span_x, span_y)
    height = round(span_y * scale + width * 2 * margin)
    pad = width * margin

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (
            round(pad + (lon - west) * squeeze * scale, 1),
            round(pad + (north - lat) * scale, 1),
        )

    polygons = boundary.geoms if isinstance(boundary, MultiPolygon) else [boundary]
    parts = []
    for polygon in polygons:
        for ring in [polygon.exterior, *polygon.interiors]:
            xy = [project(x, y) for x, y in ring.coords]
            parts.append("M" + " L".join(f"{x},{y}" for x, y in xy) + " Z")
    return SvgMap(width, height, " ".join(parts), [project(lon, lat) for lon, lat in points])


def _exterior_points(boundary: Polygon | MultiPolygon) -> Iterable[tuple[float, float]]:
    polygons = boundary.geoms if isinstance(boundary, MultiPolygon) else [boundary]
    for polygon in polygons:
        yield from ((x, y) for x, y, *_ in polygon.exterior.coords)


@cache
def transformer(source: str, target: str) -> Transformer:
    """The always-xy transformation from the CRS ``source`` to ``target``, made once."""
    # Making one reads PROJ's database: about 15 ms, against microseconds to use it, and a
    # region has one projection. pyproj's Transformer is safe to share between threads.
    return Transformer.from_crs(source, target, always_xy=True)


@dataclass(frozen=True)
class Ground:
    """The boundary laid on a metric projection (``crs``), for distances in metres.

    Inside a zone of the Map Grid of Australia (EPSG:7855 for Melbourne) the scale error
    is below 0.1 %, under a metre at a 1,000 m allowance.
    """

    boundary: Polygon | MultiPolygon
    crs: str

    @cached_property
    def _to_metric(self) -> Transformer:
        return transformer(WGS84, self.crs)

    @cached_property
    def _metric(self) -> Polygon | MultiPolygon:
        projected: Polygon | MultiPolygon = shapely.transform(
            self.boundary, self._to_metric.transform, interleaved=False
        )
        return projected

    def metres_outside(self, latitude: float, longitude: float) -> float:
        """Distance in metres from the point to the boundary; 0 on or inside it."""
        x, y = self._to_metric.transform(longitude, latitude)
        distance: float = self._metric.distance(Point(x, y))
        return distance

    def widened(self, metres: float) -> Polygon | MultiPolygon:
        """The area within ``metres`` of the boundary or inside it, in WGS 84, for drawing."""
        to_wgs84 = transformer(self.crs, WGS84)
        area: Polygon | MultiPolygon = shapely.transform(
            self._metric.buffer(metres, quad_segs=16), to_wgs84.transform, interleaved=False
        )
        return area


INSIDE = "inside"
ALLOWANCE = "allowance"
BEYOND = "beyond"
ANYWHERE = "anywhere"


def standing(metres_outside: float, allowance_m: int, *, may_be_anywhere: bool) -> str:
    """Where a server stands against the boundary: ``inside`` it, in the ``allowance``
    band around it, ``beyond`` that, or ``anywhere`` for a role allowed to be far away."""
    if may_be_anywhere:
        return ANYWHERE
    if round(metres_outside) == 0:
        return INSIDE
    return ALLOWANCE if round(metres_outside) <= allowance_m else BEYOND


def distance_words(metres: float) -> str:
    """``380 m``, ``1 km``, ``2.4 km``, ``112 km``: as precise as a reader needs."""
    if metres < 1000:
        return f"{round(metres)} m"
    if metres < 10_000:
        return f"{metres / 1000:.1f}".removesuffix(".0") + " km"
    return f"{round(metres / 1000)} km"
