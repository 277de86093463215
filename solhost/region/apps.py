from django.apps import AppConfig


class RegionConfig(AppConfig):
    """The region itself: its name, its boundary and the map that shows it."""

    name = "solhost.region"
    label = "region"
    verbose_name = "Region"
