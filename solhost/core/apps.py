from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The audit trail and the network's dated parameters that every other app reads."""

    name = "solhost.core"
    label = "core"
    verbose_name = "Core: audit and parameters"
