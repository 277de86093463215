from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Residents' regional accounts: one login for every partner's services."""

    name = "solhost.identity"
    label = "identity"
    verbose_name = "Identity: residents' accounts"

    def ready(self) -> None:
        from solhost.identity import signals  # noqa: F401  (connects the audit receivers)
