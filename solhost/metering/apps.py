from django.apps import AppConfig


class MeteringConfig(AppConfig):
    """Usage events from partners and sign-ins, rolled up into each resident's active days per service."""

    name = "solhost.metering"
    label = "metering"
    verbose_name = "Metering"
