from django.apps import AppConfig


class SitesConfig(AppConfig):
    """The region's sites: a location that keeps signing residents in and showing the
    directory when cut off from the primary, and forwards what it recorded when the link
    returns (docs/decisions/0012-sites.md)."""

    name = "solhost.sites"
    label = "sites"
    verbose_name = "Sites of the region"

    def ready(self) -> None:
        from solhost.backups.signals import installation_restored
        from solhost.identity.jwks import published_keys
        from solhost.sites import config, keys, restores

        published_keys.connect(keys.registered_sites_keys, dispatch_uid="sites.published_keys")
        installation_restored.connect(
            restores.end_what_the_archive_brought_back, dispatch_uid="sites.restores"
        )
        if config.site_name():
            from solhost.identity.login_limits import failures_elsewhere
            from solhost.sites.limits import failures_recorded_elsewhere

            failures_elsewhere.connect(failures_recorded_elsewhere, dispatch_uid="sites.limits")
        if config.is_replica_site():
            from solhost.sites import read_only

            read_only.leave_the_directory_unwritten()
