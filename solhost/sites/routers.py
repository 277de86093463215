"""Which database each model's reads and writes go to at a replica site.

Three kinds of model (docs/decisions/0012-sites.md):

- **site-local**: what a login leaves behind and only this site reads back (sessions,
  OpenID Connect grants and tokens, the consents given here, the cache): the store.
- **outbox**: events the region keeps (audit, usage): written to the store and forwarded
  to the primary, read from the standby, which has the whole region's.
- **region**: everything else. Read from the standby; written at the primary if the site
  may (``SOLHOST_SITE_PRIMARY_DATABASE_URL``, in one transaction per request, after which
  the request also reads from there), else sent to the standby, which refuses them.
  A request that only reads (GET, HEAD, OPTIONS, TRACE) never opens the primary: Django asks
  where an unsaved row would be written as soon as it is given a related row, which a
  page does to show an empty form, and that page must open at a site cut off.

Used only at a replica site (``settings.DATABASE_ROUTERS``); the primary and a
one-site region have one database and no router.
"""

import contextvars
from dataclasses import dataclass

from django.db import transaction

from solhost.sites import config

SITE_LOCAL = frozenset(
    {
        "sessions.session",
        "identity.signedinsession",
        "identity.consent",
        "identity.logoutdelivery",
        "oauth2_provider.grant",
        "oauth2_provider.accesstoken",
        "oauth2_provider.refreshtoken",
        "oauth2_provider.idtoken",
        "sites.forwarded",
        "sites.accessendapplied",
        "sites.forwardattempt",
        "sites.storeidentity",
        "sites.storerestore",
    }
)
OUTBOX = frozenset({"core.auditevent", "metering.usageevent", "metering.activeday"})
# Django's database cache has no app; its table is named in settings.CACHES.
CACHE_APP = "django_cache"

LOCAL, OUTBOXED, REGION_DATA = "site-local", "outbox", "region"


def kind_of(app_label: str, model_name: str) -> str:
    label = f"{app_label}.{model_name}".lower()
    if label in SITE_LOCAL or app_label == CACHE_APP:
        return LOCAL
    if label in OUTBOX:
        return OUTBOXED
    return REGION_DATA


def _kind(model) -> str:
    return kind_of(model._meta.app_label, model._meta.model_name)


# Requests that only read (RFC 9110 §9.2.1), as Django's CSRF protection counts them.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


@dataclass
class RequestWrites:
    """One request's writes at the primary: the transaction opened for them, if any."""

    primary: transaction.Atomic | None = None
    failed: bool = False
    reads_only: bool = False


# Set by SiteWritesMiddleware for each request; None outside requests (commands, jobs).
current_request: contextvars.ContextVar[RequestWrites | None] = contextvars.ContextVar(
    "solhost_site_request", default=None
)


def _primary_for_write() -> str:
    """The primary's alias, with this request's transaction there opened first."""
    state = current_request.get()
    if state is not None and state.primary is None:
        opening = transaction.atomic(using=config.PRIMARY)
        # Connects to the primary: a link that is down fails here, before anything is written.
        opening.__enter__()
        state.primary = opening
    return config.PRIMARY


def reads_from_primary() -> bool:
    """Whether this request has written at the primary, and so reads what it wrote there."""
    state = current_request.get()
    return state is not None and state.primary is not None


class SiteRouter:
    def db_for_read(self, model, **hints):
        kind = _kind(model)
        if kind == LOCAL:
            return config.STORE
        instance = hints.get("instance")
        if kind == REGION_DATA and (
            reads_from_primary() or (instance is not None and instance._state.db == config.PRIMARY)
        ):
            return config.PRIMARY
        return config.REGION

    def db_for_write(self, model, **hints):
        if _kind(model) != REGION_DATA:
            return config.STORE
        state = current_request.get()
        if config.writes_through() and not (state is not None and state.reads_only):
            return _primary_for_write()
        return config.REGION

    def allow_relation(self, obj1, obj2, **hints):
        # A token in the store names a resident in the region's database by id.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The region's schema is migrated at the primary and arrives by replication; the
        # store gets the site's own tables only, and none of the data migrations.
        if db != config.STORE or model_name is None:
            return False
        return kind_of(app_label, model_name) != REGION_DATA
