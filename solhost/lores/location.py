"""How far a LoRes node's pin is from its server's declared place. Pure: no Django."""

from solhost.region.geometry import WGS84, transformer

# A node's pin is placed by hand on the LoRes map and a server's location is declared by
# suburb, so the two rarely agree to the metre; 2 km is about the width of a Merri-bek
# suburb, and a pin farther away than that points to another site or a mistaken link.
MISMATCH_METRES = 2000


def distance_m(a: tuple[float, float], b: tuple[float, float], *, projected_crs: str) -> float:
    """Metres between two (latitude, longitude) points, measured in the region's projection."""
    to_metres = transformer(WGS84, projected_crs)
    ax, ay = to_metres.transform(a[1], a[0])
    bx, by = to_metres.transform(b[1], b[0])
    return float(((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5)


def location_words(metres: float, *, threshold: float = MISMATCH_METRES) -> tuple[bool, str]:
    """Whether the pin is too far from the server, and a sentence saying how far."""
    if metres > threshold:
        return True, (
            f"The node's pin is {metres / 1000:.1f} km from the server's declared location, "
            f"more than the {threshold / 1000:g} km expected: one of them may be wrong."
        )
    if metres >= 1000:
        return (
            False,
            f"The node's pin is {metres / 1000:.1f} km from the server's declared location.",
        )
    return False, f"The node's pin is {round(metres)} m from the server's declared location."
