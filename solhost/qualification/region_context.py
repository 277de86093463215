"""The region as the checks see it: boundary, metric projection, LoRes coverage. Pure: no Django.

Distances are measured in the region's projected CRS (for Melbourne EPSG:7855, GDA2020 /
MGA zone 55), never in degrees. Inside a zone of the Map Grid of Australia the scale error
is below 0.1 %, under a metre at the 1,000 m limit of charter S1.
"""

from dataclasses import dataclass, field
from functools import cached_property

from shapely.geometry import MultiPolygon, Polygon

from solhost.region.geometry import Ground


@dataclass(frozen=True)
class RegionContext:
    """One region's boundary (WGS 84), its metric CRS, and the service kinds its LoRes mesh covers."""

    name: str
    boundary: Polygon | MultiPolygon
    crs: str
    lores_kinds: frozenset[str] = field(default_factory=frozenset)

    @cached_property
    def _ground(self) -> Ground:
        return Ground(self.boundary, self.crs)

    def metres_outside(self, latitude: float, longitude: float) -> float:
        """Distance in metres from the point to the boundary; 0 on or inside it."""
        return self._ground.metres_outside(latitude, longitude)
