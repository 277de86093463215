from django.apps import AppConfig


class ProbesConfig(AppConfig):
    """Whether the region's services answer, checked from inside the region at their declared
    addresses, with their availability and incidents shown on /status/."""

    name = "solhost.probes"
    label = "probes"
    verbose_name = "Service probes"
