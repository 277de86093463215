from django.apps import AppConfig


class EnergyConfig(AppConfig):
    """How each server is powered, and what its meters say about renewables and outages."""

    name = "solhost.energy"
    label = "energy"
    verbose_name = "Energy"
