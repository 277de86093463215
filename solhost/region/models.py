from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from solhost.region.geometry import BoundaryError, parse_boundary


def validate_boundary(document) -> None:
    try:
        parse_boundary(document)
    except BoundaryError as error:
        raise ValidationError(
            [
                ValidationError("%(path)s: %(message)s", params={"path": p, "message": m})
                for p, m in error.problems
            ]
        ) from error


class Region(models.Model):
    """A solidarity-economy hosting region: one brand, one boundary, one account for residents."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    domain = models.CharField(
        max_length=253, help_text="The region's public host name, e.g. merri-bek.example.org."
    )
    tagline = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    boundary = models.JSONField(
        validators=[validate_boundary],
        help_text="GeoJSON Polygon or MultiPolygon in longitude/latitude (WGS 84).",
    )
    projected_crs = models.CharField(
        max_length=32,
        default="EPSG:7855",
        help_text="Metric projection for distances in the region (EPSG:7855 is GDA2020 / MGA zone 55).",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Code paths other than forms (imports, commands, the shell) must not store a broken outline.
        validate_boundary(self.boundary)
        super().save(*args, **kwargs)

    @property
    def shape(self):
        return parse_boundary(self.boundary)


def current_region() -> Region | None:
    """The region this installation serves, or None before any region is loaded."""
    return Region.objects.filter(slug=settings.SOLHOST_REGION).first() or Region.objects.first()
