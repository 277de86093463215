from django.apps import AppConfig


class WebConfig(AppConfig):
    """The public face of the region: home page, service directory, partner and service pages."""

    name = "solhost.web"
    label = "web"
    verbose_name = "Public pages"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from solhost.energy.models import EnergyAnalysis, PowerSystem
        from solhost.partners.listing_cache import renew_stamp
        from solhost.qualification.models import QualificationRun

        # The cached cards and pages show each partner's charter badge (its latest run),
        # each server's energy in words (its latest analysis) and its power system.
        for model in (QualificationRun, EnergyAnalysis, PowerSystem):
            for signal in (post_save, post_delete):
                signal.connect(renew_stamp, sender=model, dispatch_uid="web.listing")
