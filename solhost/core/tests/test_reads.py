"""``unique_match``: the one row a unique key finds, read without sorting."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from solhost.core.models import Parameter
from solhost.core.reads import unique_match

pytestmark = pytest.mark.django_db


def test_it_finds_the_row_a_unique_key_names():
    # The migrations seed the charter's parameters.
    some = Parameter.objects.order_by("key").first()

    found = unique_match(Parameter.objects.filter(key=some.key))

    assert found == some


def test_it_finds_nothing_as_none():
    assert unique_match(Parameter.objects.filter(key="no_such_parameter")) is None


def test_it_reads_one_row_without_sorting():
    with CaptureQueriesContext(connection) as queries:
        unique_match(Parameter.objects.filter(key="no_such_parameter"))

    (query,) = queries.captured_queries
    assert "ORDER BY" not in query["sql"].upper()
    assert query["sql"].upper().endswith("LIMIT 1")
