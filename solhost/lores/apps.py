from django.apps import AppConfig


class LoresConfig(AppConfig):
    """The region's place in the LoRes mesh: its nodes and their apps, read from a LoRes node
    and matched to the region's servers, and which services are available on it."""

    name = "solhost.lores"
    label = "lores"
    verbose_name = "LoRes mesh"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from solhost.lores.models import ServiceOnLores
        from solhost.partners.listing_cache import renew_stamp

        # The directory's cards, its LoRes filter and the service pages show which
        # services the sync found on the mesh.
        for signal in (post_save, post_delete):
            signal.connect(renew_stamp, sender=ServiceOnLores, dispatch_uid="lores.listing")
