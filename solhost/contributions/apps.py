from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    """What residents and organisations choose to pay, and the payments the steward records."""

    name = "solhost.contributions"
    label = "contributions"
    verbose_name = "Contributions"
