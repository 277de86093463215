from django.apps import AppConfig


class LoresConfig(AppConfig):
    """The region's place in the LoRes mesh: its nodes and their apps, read from a LoRes node
    and matched to the region's servers."""

    name = "solhost.lores"
    label = "lores"
    verbose_name = "LoRes mesh"
