from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Residents' regional accounts: one login for every partner's services."""

    name = "solhost.identity"
    label = "identity"
    verbose_name = "Identity: residents' accounts"
