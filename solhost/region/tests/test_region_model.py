import pytest
from django.core.exceptions import ValidationError

from solhost.region.models import Region, current_region
from solhost.test import BOUNDARY


@pytest.mark.django_db
def test_a_region_with_a_broken_boundary_is_never_saved():
    bad = {"type": "Polygon", "coordinates": [[[144.9, -37.7], [144.95, -95.0], [144.9, -37.7]]]}
    with pytest.raises(ValidationError) as caught:
        Region.objects.create(name="Nowhere", slug="nowhere", domain="x.example.org", boundary=bad)
    assert "coordinates[0][1]: latitude must be between -90 and 90 degrees" in str(caught.value)
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_full_clean_reports_the_boundary_field():
    region = Region(name="R", slug="r", domain="r.example.org", boundary={"type": "Point"})
    with pytest.raises(ValidationError) as caught:
        region.full_clean()
    assert "boundary" in caught.value.message_dict


@pytest.mark.django_db
def test_current_region_prefers_the_configured_slug(settings):
    Region.objects.create(name="Other", slug="other", domain="o.example.org", boundary=BOUNDARY)
    ours = Region.objects.create(
        name="Ours", slug="ours", domain="u.example.org", boundary=BOUNDARY
    )
    settings.SOLHOST_REGION = "ours"
    assert current_region() == ours
    assert ours.shape.contains(ours.shape.centroid)
