from django.apps import AppConfig


class LedgerConfig(AppConfig):
    """The double-entry books: accounts, balanced transactions in integer cents, balances and exports."""

    name = "solhost.ledger"
    label = "ledger"
    verbose_name = "Ledger"
