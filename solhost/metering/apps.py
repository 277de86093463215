from django.apps import AppConfig


class MeteringConfig(AppConfig):
    """Usage events from partners and sign-ins, rolled up into each resident's active days per service."""

    name = "solhost.metering"
    label = "metering"
    verbose_name = "Metering"

    def ready(self) -> None:
        from solhost.identity.oidc import signed_in_to_service
        from solhost.metering.receivers import count_sign_in

        signed_in_to_service.connect(count_sign_in, dispatch_uid="metering.count_sign_in")
