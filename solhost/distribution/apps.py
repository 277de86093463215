from django.apps import AppConfig


class DistributionConfig(AppConfig):
    """Closing a period: residents' payments split between the pools and the partners they used."""

    name = "solhost.distribution"
    label = "distribution"
    verbose_name = "Distribution"
