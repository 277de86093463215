"""Which database each model goes to at a site (decision 0012)."""

import pytest

from solhost.sites import config
from solhost.sites.routers import LOCAL, OUTBOXED, REGION_DATA, SiteRouter, kind_of


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("sessions.session", LOCAL),
        ("identity.signedinsession", LOCAL),
        ("identity.consent", LOCAL),
        ("oauth2_provider.grant", LOCAL),
        ("oauth2_provider.accesstoken", LOCAL),
        ("oauth2_provider.refreshtoken", LOCAL),
        ("oauth2_provider.idtoken", LOCAL),
        ("django_cache.cacheentry", LOCAL),
        ("core.auditevent", OUTBOXED),
        ("metering.usageevent", OUTBOXED),
        ("metering.activeday", OUTBOXED),
        ("identity.user", REGION_DATA),
        ("identity.serviceclient", REGION_DATA),
        ("mfa.authenticator", REGION_DATA),
        ("contributions.contributionchoice", REGION_DATA),
        ("sites.site", REGION_DATA),
        ("sites.forwardedevent", REGION_DATA),
        ("sites.forwarded", LOCAL),
    ],
)
def test_every_model_has_its_kind(label, kind):
    assert kind_of(*label.split(".")) == kind


def test_the_store_gets_only_the_sites_own_tables_and_no_data_migration():
    router = SiteRouter()
    assert router.allow_migrate(config.STORE, "identity", "signedinsession")
    assert router.allow_migrate(config.STORE, "core", "auditevent")
    # No table that could hold a password hash, nor any other region table.
    assert not router.allow_migrate(config.STORE, "identity", "user")
    assert not router.allow_migrate(config.STORE, "core", "parameter")
    # A data migration (no model named) never runs in the store.
    assert not router.allow_migrate(config.STORE, "core")
    # The standby is migrated by replication only.
    assert not router.allow_migrate(config.REGION, "identity", "signedinsession")


def test_reads_and_writes_go_where_each_kind_lives(settings):
    from django.apps import apps

    router = SiteRouter()
    session = apps.get_model("sessions", "Session")
    audit = apps.get_model("core", "AuditEvent")
    user = apps.get_model("identity", "User")
    assert router.db_for_read(session) == router.db_for_write(session) == config.STORE
    assert router.db_for_read(audit) == config.REGION
    assert router.db_for_write(audit) == config.STORE
    assert router.db_for_read(user) == config.REGION
    settings.SOLHOST_SITE_REPLICA_URL = "postgres://standby/region"
    # Without the primary's database, a region write is sent to the standby, which refuses it.
    assert router.db_for_write(user) == config.REGION


def test_a_request_that_only_reads_never_opens_the_primary(monkeypatch):
    # Django asks where an unsaved row would be written as soon as it is given a related
    # row (a page showing an empty form does): a GET must not reach for the primary.
    from django.apps import apps

    from solhost.sites import routers

    user = apps.get_model("identity", "User")
    opened = []
    monkeypatch.setattr(config, "writes_through", lambda: True)
    monkeypatch.setattr(routers, "_primary_for_write", lambda: opened.append(1) or config.PRIMARY)
    for method, database in (
        ("GET", config.REGION),
        ("HEAD", config.REGION),
        ("POST", config.PRIMARY),
    ):
        token = routers.current_request.set(
            routers.RequestWrites(reads_only=method in routers.SAFE_METHODS)
        )
        try:
            assert SiteRouter().db_for_write(user) == database, method
        finally:
            routers.current_request.reset(token)
    assert opened == [1]
    # Outside a request (a command, a job), writes go to the primary as before.
    assert SiteRouter().db_for_write(user) == config.PRIMARY
