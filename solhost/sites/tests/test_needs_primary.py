"""A write that needs the primary, at a site, gets a clear page: never a 500."""

import json

import psycopg
from django.db import DatabaseError, IntegrityError, OperationalError
from django.db.transaction import TransactionManagementError
from django.test import RequestFactory

from solhost.sites.middleware import NOT_HERE, OUT_OF_REACH, needs_primary, refusal_page

OUT_OF_REACH_WORDS = (
    "The region's main site is out of reach; this will work again when the link is back."
)


def _wrapped(django_error, cause):
    try:
        raise django_error from cause
    except DatabaseError as error:
        return error


def test_the_standbys_refusal_and_an_unreachable_primary_need_the_primary(settings):
    settings.SOLHOST_SITE_REPLICA_URL = "postgres://standby/region"
    read_only = psycopg.errors.ReadOnlySqlTransaction(
        "cannot execute INSERT in a read-only transaction"
    )
    assert needs_primary(_wrapped(DatabaseError("read only"), read_only)) == NOT_HERE
    refused = psycopg.OperationalError(
        'connection to server at "127.0.0.1" failed: Connection refused'
    )
    assert needs_primary(_wrapped(OperationalError("refused"), refused)) == OUT_OF_REACH
    shut_down = psycopg.errors.AdminShutdown("terminating connection due to administrator command")
    assert needs_primary(_wrapped(OperationalError("shut down"), shut_down)) == OUT_OF_REACH
    locked = TransactionManagementError(
        "select_for_update cannot be used outside of a transaction."
    )
    assert needs_primary(locked) == NOT_HERE


def test_other_errors_stay_errors():
    unique = psycopg.errors.UniqueViolation("duplicate key")
    assert needs_primary(_wrapped(IntegrityError("duplicate"), unique)) is None
    assert needs_primary(ValueError("no")) is None
    assert needs_primary(TransactionManagementError("something else")) is None


def test_the_page_says_what_happened_and_when_it_will_work(db, settings):
    settings.SOLHOST_SITE = "hill"
    request = RequestFactory().post("/contribute/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    page = refusal_page(request, OUT_OF_REACH)
    assert page.status_code == 503 and page["Retry-After"] == "60"
    assert OUT_OF_REACH_WORDS in page.content.decode()
    assert '<link rel="stylesheet"' in page.content.decode()


def test_the_api_gets_problems_as_json(db):
    page = refusal_page(RequestFactory().post("/api/v1/usage"), OUT_OF_REACH)
    assert page.status_code == 503
    assert json.loads(page.content)["problems"][0]["message"].startswith(
        "the region's main site is out of reach"
    )
