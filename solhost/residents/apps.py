from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    """A resident's own account: what the region holds about them, taking it with them, and leaving."""

    name = "solhost.residents"
    label = "residents"
    verbose_name = "Residents: their accounts, exports and deletions"

    def ready(self) -> None:
        from solhost.backups.signals import installation_restored
        from solhost.residents.making_again import make_again_after_a_restore

        installation_restored.connect(
            make_again_after_a_restore, dispatch_uid="residents.making_again"
        )
