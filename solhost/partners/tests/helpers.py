"""Shared helpers for the partners tests: the forms' data, DB state."""

from solhost.core.audit import snapshot
from solhost.core.models import AuditEvent
from solhost.energy.models import PowerSystem
from solhost.partners.models import Membership, Organisation, Server, Service

POWER_DATA = {
    "pv_kwp": "3.2",
    "pv_tilt_deg": "20",
    "pv_azimuth_deg": "0",
    "battery_nominal_wh": "5000",
    "battery_min_soc_pct": "20",
    "battery_health_pct": "100",
    "round_trip_efficiency_pct": "90",
    "inverter_efficiency_pct": "95",
    "essential_load_w": "40",
    "grid_connected": "on",
    "battery_accounting": "single_pool",
}

NEW_SERVER = {
    "slug": "mcc-2",
    "name": "MCC two",
    "role": "primary",
    "latitude": "-37.766",
    "longitude": "144.971",
    "locality": "Brunswick East",
    "hosting_company": "self-hosted",
    "public_ips": "203.0.113.7",
    "operation_started": "2025-10-01",
}


def db_state() -> list:
    """Everything the manage pages can write, to show that a refused request changed nothing."""
    models = (Organisation, Membership, Server, Service, PowerSystem)
    return [[snapshot(obj) for obj in model.objects.order_by("pk")] for model in models] + [
        AuditEvent.objects.count()
    ]


def refused(client, url: str, data: dict) -> dict:
    """Post a form that must be refused: the page says nothing was saved, and nothing was.

    Returns the form's errors, by field.
    """
    before = db_state()
    response = client.post(url, data)
    assert response.status_code == 200
    assert db_state() == before
    assert "Nothing was saved" in response.content.decode()
    return response.context["form"].errors
