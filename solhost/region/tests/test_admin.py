"""The steward's admin page for the region: the region this installation serves stays,
under the slug the installation knows it by."""

import json

from django.conf import settings
from django.urls import reverse

from solhost.region.models import Region


def test_the_region_this_installation_serves_cannot_be_deleted(client, world):
    client.force_login(world.sam)
    delete = reverse("admin:region_region_delete", args=[world.region.pk])
    change = reverse("admin:region_region_change", args=[world.region.pk])

    for refused in (client.get(delete), client.post(delete, {"post": "yes"})):
        assert refused.status_code == 302
        assert refused["Location"] == change
    page = client.get(change).content.decode()
    assert "so it can&#x27;t be deleted" in page
    bulk = client.post(
        reverse("admin:region_region_changelist"),
        {"action": "delete_selected", "_selected_action": [world.region.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert Region.objects.filter(pk=world.region.pk).exists()
    # Its change page no longer offers to delete it.
    assert delete not in page


def test_the_served_regions_slug_cannot_change_anothers_can(client, world):
    client.force_login(world.sam)
    other = Region.objects.create(
        name="Elsewhere", slug="elsewhere", domain="x.example.org", boundary=world.region.boundary
    )
    for region in (world.region, other):
        form = {
            "name": region.name,
            "slug": "renamed",
            "domain": region.domain,
            "tagline": "",
            "description": "",
            "boundary": json.dumps(region.boundary),
            "projected_crs": region.projected_crs,
            "core-auditevent-content_type-object_id-TOTAL_FORMS": "0",
            "core-auditevent-content_type-object_id-INITIAL_FORMS": "0",
        }
        saved = client.post(reverse("admin:region_region_change", args=[region.pk]), form)
        assert saved.status_code == 302, saved.content.decode()[:3000]

    world.region.refresh_from_db()
    other.refresh_from_db()
    assert world.region.slug == settings.SOLHOST_REGION
    assert other.slug == "renamed"


def test_another_region_may_be_deleted(client, world):
    client.force_login(world.sam)
    other = Region.objects.create(
        name="Elsewhere",
        slug="elsewhere",
        domain="elsewhere.example.org",
        boundary=world.region.boundary,
    )

    deleted = client.post(reverse("admin:region_region_delete", args=[other.pk]), {"post": "yes"})

    assert deleted.status_code == 302
    assert not Region.objects.filter(pk=other.pk).exists()
