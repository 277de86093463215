from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    """A resident's own account: what the region holds about them, taking it with them, and leaving."""

    name = "solhost.residents"
    label = "residents"
    verbose_name = "Residents: their accounts, exports and deletions"
