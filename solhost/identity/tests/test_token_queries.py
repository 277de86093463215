"""What one token request costs the database: the code's grant read once, a bounded
number of queries, and everything it writes in one transaction."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from solhost.identity.tests.oidc import authorize_params, consent, exchange, make_client

# Measured at 26 with the usage event and audit event (34 before the grant was read once).
MOST_QUERIES = 26


def test_a_token_request_reads_the_grant_once_within_a_bounded_number_of_queries(client, world):
    nextcloud = make_client(world.mcc_service)
    client.force_login(world.alice)
    code = consent(client, authorize_params(nextcloud))["code"]

    with CaptureQueriesContext(connection) as queries:
        response = exchange(client, nextcloud, code)

    assert response.status_code == 200, response.content
    statements = [query["sql"] for query in queries.captured_queries]
    grant_reads = [
        sql
        for sql in statements
        if sql.startswith("SELECT") and 'FROM "oauth2_provider_grant"' in sql
    ]
    assert len(grant_reads) == 1, grant_reads
    assert len(statements) <= MOST_QUERIES, "\n".join(statements)
    # The view's transaction holds every write: inside the test's own transaction it shows
    # as one outer savepoint, opened first and released last.
    assert statements[0].startswith("SAVEPOINT") and statements[-1].startswith("RELEASE")
