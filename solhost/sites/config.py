"""What this installation is among the region's sites, read from the settings.

- No ``SOLHOST_SITE``: the region has one site; nothing of this app takes part.
- ``SOLHOST_SITE`` alone: the **primary**, with the region's one writable database.
- ``SOLHOST_SITE_REPLICA_URL`` too: a **replica site**, reading the region from a hot
  standby (the ``region`` database) and writing its logins to its own store (``default``).
"""

from django.conf import settings

from solhost.identity.databases import at_replica_site

# The database aliases at a replica site.
STORE = "default"
REGION = "region"
PRIMARY = "primary"


def site_name() -> str:
    return settings.SOLHOST_SITE


# A site that is not the primary: it reads the region from a standby.
is_replica_site = at_replica_site


def is_primary() -> bool:
    return bool(settings.SOLHOST_SITE) and not is_replica_site()


def writes_through() -> bool:
    """Whether this replica site makes the region's writes at the primary's database."""
    return is_replica_site() and PRIMARY in settings.DATABASES


def primary_url() -> str:
    return settings.SOLHOST_SITE_PRIMARY_URL
