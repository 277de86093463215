from django.apps import AppConfig


class WinddownConfig(AppConfig):
    """A closing partner's wind-down: its dates, one case per resident and service until each
    is returned or moved, and the handover of its servers."""

    name = "solhost.winddown"
    label = "winddown"
    verbose_name = "Wind-downs"
