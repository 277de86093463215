from django.apps import AppConfig


class FederationConfig(AppConfig):
    """The region's directory in the formats other networks read: ChatonsInfos properties,
    librehost.json, one JSON document of the whole directory, and Atom feeds of changes."""

    name = "solhost.federation"
    label = "federation"
    verbose_name = "Feeds for other networks"
