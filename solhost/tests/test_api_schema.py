"""Schemathesis against the whole WSGI stack: every operation, every check, both databases.

Answers must all be documented, with the documented schema, and never 5xx.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from solhost.core.api import MOMENT_PATTERN
from solhost.partners.actions import issue_api_token
from solhost.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    # The same examples on every run, so a red CI run can be replayed, not a coin toss.
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db(transaction=True)
def test_every_operation_keeps_its_description(case, world):
    _, token = issue_api_token(organisation=world.mcc, actor=world.alice, name="schemathesis")
    # Schemathesis calls the app in-process (WSGI) and reads the body as sent; it would
    # ask for gzip, like the HTTP client it imitates, without undoing it.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    )


def test_the_description_says_text_parameters_hold_no_nul(client):
    schema = client.get("/api/v1/openapi.json").json()
    parameters = [
        parameter
        for operations in schema["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["schema"].get("type") == "string"
    ]
    assert parameters
    # A date and time has a stricter pattern of its own, which holds no NUL either.
    assert {p["schema"]["pattern"] for p in parameters} <= {"^[^\\u0000]*$", MOMENT_PATTERN}


def _every_subclass(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _every_subclass(subclass)


def test_no_two_shapes_of_the_api_share_a_name():
    """The OpenAPI document keeps one schema per class name: a second class of the same
    name would be described, and validated, as the first."""
    from collections import Counter

    from ninja import Schema

    import solhost.api  # noqa: F401 - imports every app's API module

    names = Counter(
        shape.__name__
        for shape in _every_subclass(Schema)
        if shape.__module__.startswith("solhost.") and ".tests" not in shape.__module__
    )
    assert [name for name, count in names.items() if count > 1] == []
