from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    """The network's decisions: proposals, votes, tallies, and enactment into dated parameters."""

    name = "solhost.governance"
    label = "governance"
    verbose_name = "Governance"
