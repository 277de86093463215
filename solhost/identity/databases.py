"""Where the provider's rows are, when a site keeps some of them in a database of its own.

With one database (the primary, a one-site region) every answer here is "the same
database". At a replica site the login path's rows (grants, tokens, sessions) are in the
site's store and residents and clients in the region's standby (decision 0012), and a
query can join only tables of one database.
"""

from django.conf import settings
from django.db import router


def joinable(*models) -> bool:
    """Whether rows of ``models`` are read from one database, so one query may join them."""
    return len({router.db_for_read(model) for model in models}) == 1


def written_to(model) -> str:
    """The database the login path writes ``model``'s rows to, where it reads them back."""
    return router.db_for_write(model)


def at_replica_site() -> bool:
    """Whether this installation is a site reading the region from a standby: the region's
    rows it writes go to the primary, and wait for the link."""
    return bool(settings.SOLHOST_SITE_REPLICA_URL)
