from django.apps import AppConfig


class WinddownConfig(AppConfig):
    """A closing partner's wind-down: its dates, one case per resident and service until each
    is returned or moved, and the handover of its servers."""

    name = "solhost.winddown"
    label = "winddown"
    verbose_name = "Wind-downs"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from solhost.identity.oidc import sign_in_refusal
        from solhost.partners.listing_cache import renew_stamp
        from solhost.partners.signals import services_withdrawn
        from solhost.qualification.signals import wind_down_progress
        from solhost.winddown.models import WindDown
        from solhost.winddown.receivers import (
            refuse_sign_in_when_closing,
            refuse_sign_in_when_full,
            report_wind_down_progress,
            withdraw_closed_services,
        )

        # The public pages say "closing on DATE" and stop listing a closed partner's
        # services: announcing or completing a wind-down renews what they keep.
        for signal in (post_save, post_delete):
            signal.connect(renew_stamp, sender=WindDown, dispatch_uid="winddown.listing")
        sign_in_refusal.connect(refuse_sign_in_when_closing, dispatch_uid="winddown.sign_in")
        sign_in_refusal.connect(refuse_sign_in_when_full, dispatch_uid="winddown.sign_in_full")
        services_withdrawn.connect(withdraw_closed_services, dispatch_uid="winddown.withdrawn")
        # Charter B3.1 reads whether the wind-down returned or moved every case by its shutdown.
        wind_down_progress.connect(report_wind_down_progress, dispatch_uid="winddown.charter")
