"""The steward's admin page for the region: the region this installation serves stays."""

from django.urls import reverse

from solhost.region.models import Region


def test_the_region_this_installation_serves_cannot_be_deleted(client, world):
    client.force_login(world.sam)
    delete = reverse("admin:region_region_delete", args=[world.region.pk])

    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:region_region_changelist"),
        {"action": "delete_selected", "_selected_action": [world.region.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert Region.objects.filter(pk=world.region.pk).exists()
    # Its change page no longer offers to delete it.
    change = client.get(reverse("admin:region_region_change", args=[world.region.pk]))
    assert change.status_code == 200
    assert delete not in change.content.decode()


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
