from django.apps import AppConfig


class DistributionConfig(AppConfig):
    """Closing a period: residents' payments split between the pools and the partners they used."""

    name = "solhost.distribution"
    label = "distribution"
    verbose_name = "Distribution"

    def ready(self) -> None:
        from solhost.contributions.signals import statement_debits_imported
        from solhost.distribution.reconciliation import on_statement_debits

        statement_debits_imported.connect(
            on_statement_debits, dispatch_uid="distribution.reconcile"
        )
