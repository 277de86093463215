"""What one sign-in to a service costs the database: the authorization reads the client
and the browser's session row once each; the token request reads the code's grant once,
stays within a bounded number of queries, and writes everything in one transaction."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from solhost.identity.tests.oidc import (
    authorize_params,
    consent,
    exchange,
    make_client,
    query_of,
)

# Measured at 17, savepoints included, with the audit and usage events (34 before the grant
# was read once, 26 before the client, the ID token and the usage parameters were).
MOST_QUERIES = 17
# Session, user, client, whether the service's partner is closing (sign_in_refusal), the
# session's row, consent, the new grant.
MOST_AUTHORIZATION_QUERIES = 7


def test_an_authorization_with_consent_reads_the_client_and_session_row_once(client, world):
    nextcloud = make_client(world.mcc_service)
    client.force_login(world.alice)
    consent(client, authorize_params(nextcloud))

    with CaptureQueriesContext(connection) as queries:
        answer = query_of(
            client.get(reverse("oauth2_provider:authorize"), authorize_params(nextcloud))
        )

    assert "code" in answer
    statements = [query["sql"] for query in queries.captured_queries]
    for table in ("identity_serviceclient", "identity_signedinsession"):
        assert sum(f'FROM "{table}"' in sql for sql in statements) == 1, statements
    assert len(statements) <= MOST_AUTHORIZATION_QUERIES, "\n".join(statements)


def test_a_token_request_reads_the_grant_once_within_a_bounded_number_of_queries(client, world):
    nextcloud = make_client(world.mcc_service)
    client.force_login(world.alice)
    code = consent(client, authorize_params(nextcloud))["code"]

    with CaptureQueriesContext(connection) as queries:
        response = exchange(client, nextcloud, code)

    assert response.status_code == 200, response.content
    statements = [query["sql"] for query in queries.captured_queries]
    # On PostgreSQL the code's client is share-locked first (oidc._hold_client_of), by a
    # statement that returns only its id.
    holds = [sql for sql in statements if sql.endswith("FOR KEY SHARE")]
    assert len(holds) == (1 if connection.vendor == "postgresql" else 0), holds
    reads = [sql for sql in statements if sql not in holds]
    grant_reads = [
        sql for sql in reads if sql.startswith("SELECT") and 'FROM "oauth2_provider_grant"' in sql
    ]
    assert len(grant_reads) == 1, grant_reads
    # The client once (with its service), and never the ID token just written.
    assert sum('FROM "identity_serviceclient"' in sql for sql in reads) == 1, statements
    assert not any('FROM "oauth2_provider_idtoken"' in sql for sql in statements), statements
    assert len(statements) <= MOST_QUERIES, "\n".join(statements)
    # The view's transaction holds every write: inside the test's own transaction it shows
    # as one outer savepoint, opened first and released last.
    assert statements[0].startswith("SAVEPOINT") and statements[-1].startswith("RELEASE")
