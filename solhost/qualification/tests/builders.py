"""Small dossiers and regions for the qualification tests, built from literal values."""

import datetime
from dataclasses import replace
from decimal import Decimal

from pyproj import Transformer
from shapely.geometry import Polygon

from solhost.qualification.dossier import (
    Dossier,
    EndOfLife,
    Evidence,
    FinancialYear,
    LegalStructure,
    Location,
    LoresOption,
    Partner,
    PayRatio,
    Power,
    Server,
    Service,
    UnionParticipation,
)
from solhost.qualification.parameters import charter_parameters
from solhost.qualification.region_context import RegionContext

CRS = "EPSG:7855"
TO_METRIC = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
TO_DEGREES = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)

# A 4 km square in GDA2020 / MGA zone 55, around Coburg; its vertices are projected back to
# longitude/latitude, so in the metric CRS its east edge is exactly the line x = EAST.
WEST, EAST, SOUTH, NORTH = 319_000.0, 323_000.0, 5_818_000.0, 5_822_000.0
MIDDLE_Y = (SOUTH + NORTH) / 2


def _degrees(x: float, y: float) -> tuple[float, float]:
    lon, lat = TO_DEGREES.transform(x, y)
    return lon, lat


SQUARE = Polygon(
    [_degrees(x, y) for x, y in [(WEST, SOUTH), (EAST, SOUTH), (EAST, NORTH), (WEST, NORTH)]]
)
REGION = RegionContext("Test square", SQUARE, CRS, frozenset({"websites"}))
PARAMS = charter_parameters()
AT = datetime.date(2026, 11, 1)


def east_of_boundary(metres: float) -> Location:
    """A point ``metres`` due east of the square's east edge (inside it for negative values)."""
    lon, lat = _degrees(EAST + metres, MIDDLE_Y)
    return Location(latitude=lat, longitude=lon)


def approved(criterion: str, subject: str = "partner") -> Evidence:
    return Evidence(
        criterion, subject, "approved", datetime.date(2025, 7, 1), datetime.date(2027, 6, 30)
    )


YEAR = FinancialYear(
    ends=datetime.date(2026, 6, 30),
    gross_revenue_cents=10_000_000,
    labour_payments_cents=8_000_000,
    fte=Decimal(2),
    surplus_cents=0,
    investor_returns_cents=0,
    loan_repayments_cents=1_000_000,
    land_back_cents=1_000_000,
)

SERVER = Server(
    id="home-1",
    role="primary",
    location=east_of_boundary(-500),
    hosting_company="self-hosted",
    asn=None,
    ips=("203.0.113.10",),
    operation_started=datetime.date(2024, 7, 1),
    power=Power("on_site", None),
)

SERVICE = Service(
    id="files",
    kind="files",
    licence="AGPL-3.0-or-later",
    audience="public",
    servers=("home-1",),
    lores=None,
    export_formats=("original-files", "ics"),
    account_move="partly",
)

DOSSIER = Dossier(
    partner=Partner(
        name="Test Co-op",
        legal_structure=LegalStructure("cooperative", "C0012345", None),
        run_by="settlers",
        land_back_withheld_by_platform=False,
    ),
    financial_years=(YEAR,),
    pay_ratio=PayRatio("Equal hourly pay.", Decimal("1.5"), Decimal("1.2")),
    union_participation=UnionParticipation(workers=3, union_members=3, description=None),
    commons_stewardship="A solidarity tier for residents on income support.",
    end_of_life=EndOfLife(
        "Exports by email link.", "Hand-over to another partner.", "Offered free."
    ),
    servers=(SERVER,),
    services=(SERVICE,),
    evidence=(approved("B1.3"), approved("B1.4"), approved("B2"), approved("B3")),
)


def with_year(**changes: object) -> Dossier:
    return replace(DOSSIER, financial_years=(replace(YEAR, **changes),))


def with_server(**changes: object) -> Dossier:
    return replace(DOSSIER, servers=(replace(SERVER, **changes),))


def with_service(**changes: object) -> Dossier:
    return replace(DOSSIER, services=(replace(SERVICE, **changes),))


LORES = LoresOption("http://sites.coop.mesh", recommended=True)
