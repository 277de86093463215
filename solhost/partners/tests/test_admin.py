"""The steward's tools: audit trails on change pages, audited saves, every page loads."""

import pytest
from django.contrib import admin
from django.urls import reverse

from solhost.core.models import AuditEvent
from solhost.partners import actions
from solhost.partners.models import Organisation, Server, Service
from solhost.region.models import Region
from solhost.tests.forms import admin_form_data


@pytest.fixture
def sam(client, world):
    client.force_login(world.sam)
    return client


def _change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def _write_as_alice(world, name: str) -> None:
    if name == "mcc":
        actions.update_organisation(
            organisation=world.mcc, actor=world.alice, data={"summary": "Trail test."}
        )
    elif name == "mcc_server":
        actions.update_server(server=world.mcc_server, actor=world.alice, data={"locality": "X"})
    else:
        actions.update_service(
            service=world.mcc_service, actor=world.alice, data={"summary": "Trail test."}
        )


@pytest.mark.parametrize("name", ["mcc", "mcc_server", "mcc_service"])
def test_a_change_page_shows_the_objects_audit_trail(sam, world, name):
    _write_as_alice(world, name)
    page = sam.get(_change_url(getattr(world, name))).content.decode()
    assert "Audit trail" in page
    assert AuditEvent.objects.get().action in page
    assert "alice" in page


@pytest.mark.parametrize(
    ("name", "changes", "field"),
    [
        ("mcc", {"summary": "Changed by the steward."}, "summary"),
        ("mcc_server", {"locality": "Coburg North"}, "locality"),
        ("mcc_service", {"software_version": "31.0.4"}, "software_version"),
    ],
)
def test_saving_through_the_admin_writes_an_audit_event(sam, world, name, changes, field):
    obj = getattr(world, name)
    url = _change_url(obj)
    response = sam.post(url, admin_form_data(sam.get(url), **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action=f"admin.{obj._meta.model_name}.change")
    assert event.actor == world.sam
    assert event.changed_fields() == [field]


def _registered():
    return [
        pytest.param(model, id=f"{model._meta.app_label}.{model._meta.model_name}")
        for model in admin.site._registry
    ]


@pytest.mark.parametrize("model", _registered())
def test_every_changelist_and_add_page_loads(sam, world, model):
    model_admin = admin.site._registry[model]
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    assert sam.get(reverse(f"{prefix}_changelist")).status_code == 200
    request = sam.get(reverse(f"{prefix}_changelist")).wsgi_request
    expected = 200 if model_admin.has_add_permission(request) else 403
    assert sam.get(reverse(f"{prefix}_add")).status_code == expected


def test_an_invalid_region_boundary_is_refused_with_its_path(sam, world):
    url = reverse("admin:region_region_add")
    data = admin_form_data(
        sam.get(url),
        name="Broken",
        slug="broken",
        domain="broken.example.org",
        boundary='{"type": "Polygon", "coordinates": '
        "[[[144.94, -37.78], [144.99, -95], [144.99, -37.72], [144.94, -37.78]]]}",
    )
    response = sam.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "coordinates[0][1]" in page
    assert "latitude must be between -90 and 90 degrees" in page
    assert not Region.objects.filter(slug="broken").exists()
    assert not AuditEvent.objects.exists()


def test_the_admin_lists_every_partner_record(sam, world):
    for model, name in (
        (Organisation, "Coburg Commons Tech"),
        (Server, "CCT one"),
        (Service, "CCT Chat"),
    ):
        url = reverse(f"admin:partners_{model._meta.model_name}_changelist")
        assert name in sam.get(url).content.decode()
