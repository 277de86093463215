from django.apps import AppConfig


class PartnersConfig(AppConfig):
    """The steward and partner organisations, their people, servers and services."""

    name = "solhost.partners"
    label = "partners"
    verbose_name = "Partners"
