from django.apps import AppConfig


class PartnersConfig(AppConfig):
    """The steward and partner organisations, their people, servers and services."""

    name = "solhost.partners"
    label = "partners"
    verbose_name = "Partners"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from solhost.partners.listing_cache import renew_stamp
        from solhost.partners.models import Organisation, Server, Service, ServiceKind
        from solhost.region.models import Region

        # What the public pages list and keep between requests (see listing_cache).
        for model in (Organisation, Server, Service, ServiceKind, Region):
            for signal in (post_save, post_delete):
                signal.connect(renew_stamp, sender=model, dispatch_uid="partners.listing")
        # Which servers a service runs on, shown on its page.
        m2m_changed.connect(
            renew_stamp, sender=Service.servers.through, dispatch_uid="partners.listing"
        )
