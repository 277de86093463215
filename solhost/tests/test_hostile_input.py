"""Hostile and careless input at every door: a clear 4xx naming the place, nothing stored.

NUL characters and lone surrogates, nesting deeper than any document, wrong types,
over-long text and oversized bodies, on each endpoint and form that takes input. The
suite runs on SQLite and on PostgreSQL; PostgreSQL is the one that cannot hold NUL.
"""

import datetime
import json

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from solhost.metering.models import UsageEvent
from solhost.partners.actions import issue_api_token
from solhost.qualification.tests.test_apply import apply_as
from solhost.test import PASSWORD, sub_at

NUL = "a\x00b"
SURROGATE = r'"\ud800"'  # a JSON escape Python decodes to a lone surrogate
DEEP = "[" * 100_000


# Signing in, which the form tests do first, writes these.
SIGN_IN_TABLES = {"sessions.Session", "identity.SignedInSession"}


def row_counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.label not in SIGN_IN_TABLES
    }


@pytest.fixture
def token(world):
    _, plaintext = issue_api_token(organisation=world.mcc, actor=world.alice, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


@pytest.fixture
def unchanged(world, token):
    """Asserts, after the test, that no table gained or lost a row."""
    before = row_counts()
    yield
    assert row_counts() == before


def where(response) -> list[str]:
    return [p["where"] for p in response.json()["problems"]]


# --- parameters: path, query string, headers -------------------------------------------


@pytest.mark.parametrize(
    "url, place",
    [
        ("/api/v1/services?q=a%00b", "query parameter 'q'"),
        ("/api/v1/services?kind=a%00b", "query parameter 'kind'"),
        ("/api/v1/services?software=a%00b", "query parameter 'software'"),
        ("/api/v1/services?partner=a%00b", "query parameter 'partner'"),
        ("/api/v1/partners/a%00b", "path parameter 'slug'"),
        ("/api/v1/partners/a%00b/qualification", "path parameter 'slug'"),
        ("/api/v1/servers/a%00b/telemetry", "path parameter 'slug'"),
    ],
)
def test_a_nul_in_an_api_parameter_is_a_400_naming_it(client, unchanged, url, place):
    response = client.get(url)
    assert response.status_code == 400
    assert where(response) == [place]
    assert "NUL" in response.json()["problems"][0]["message"]


@pytest.mark.parametrize(
    "url, place",
    [
        ("/services/?q=a%00b", "query parameter 'q'"),
        ("/services/?kind=a%00b", "query parameter 'kind'"),
        ("/accounts/login/?next=a%00b", "query parameter 'next'"),
        ("/services/a%00b/", "path"),
    ],
)
def test_a_nul_in_a_page_parameter_is_a_400_naming_it(client, unchanged, url, place):
    response = client.get(url)
    assert response.status_code == 400
    assert f"<li>{escape(place)}: contains a NUL" in response.content.decode()


def test_a_nul_in_a_token_or_cookie_is_refused_before_any_lookup(client, unchanged):
    response = client.get("/api/v1/partner", HTTP_AUTHORIZATION="Bearer solhost_a\x00b_c")
    assert response.status_code == 400 and where(response) == ["header Authorization"]
    response = client.get("/", HTTP_COOKIE="sessionid=abcdefgh\x00")
    assert response.status_code == 400 and b"<li>header Cookie: " in response.content


def test_a_wrong_type_in_a_query_parameter_is_a_422_naming_it(client, unchanged):
    response = client.get("/api/v1/services?lores=banana")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "lores"]


def test_over_long_text_in_a_query_finds_nothing_rather_than_failing(client, unchanged):
    assert client.get("/api/v1/services", {"q": "x" * 20_000}).json() == []
    assert client.get("/api/v1/partners/" + "x" * 5000).status_code == 404


# --- bodies: size ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/v1/usage", "/api/v1/servers/mcc-1/telemetry", "/apply/", "/services/"]
)
def test_an_oversized_body_is_refused_413_without_being_read(client, token, unchanged, url):
    # The declared length is far more than the 3 bytes sent: reading would fail the test.
    response = client.generic(
        "POST", url, b"[1]", "application/json", CONTENT_LENGTH=str(200 * 1024 * 1024), **token
    )
    assert response.status_code == 413
    assert "larger than" in response.content.decode()


def test_the_telemetry_api_stops_reading_at_its_limit(client, token, unchanged, settings):
    settings.ENERGY_UPLOAD_MAX_BYTES = 1024 * 1024
    body = b"x" * (2 * 1024 * 1024)
    response = client.generic(
        "POST", "/api/v1/servers/mcc-1/telemetry", body, "text/csv",
        CONTENT_LENGTH=str(len(body)), **token,
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json() == [
        {"line": 1, "message": "the file is larger than 1 MB; send it in parts"}
    ]


# --- the usage API ---------------------------------------------------------------------


def event(world, key, **changes):
    return {
        "id": key,
        "resident": sub_at(world.rita, world.mcc),
        "service": "mcc-files",
        "kind": "file_upload",
        "occurred_at": (timezone.now() - datetime.timedelta(minutes=5)).isoformat(),
    } | changes


def post_usage(client, body, token):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post("/api/v1/usage", data, content_type="application/json", **token)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"kind": NUL}, "kind"),
        ({"id": NUL}, "id"),
        ({"service": NUL}, "service"),
        ({"kind": "\ud800"}, "kind"),
        ({"id": "\udfff"}, "id"),
        ({"kind": "k" * 41}, "kind"),
        ({"id": "i" * 201}, "id"),
        ({"quantity": "many"}, "quantity"),
        ({"resident": NUL}, "resident"),
        ({"occurred_at": NUL}, "occurred_at"),
    ],
)
def test_a_bad_event_is_rejected_alone_and_the_rest_is_stored(client, world, token, changes, field):
    body = {"events": [event(world, "good"), event(world, "bad", **changes)]}
    # json.dumps escapes a lone surrogate as \ud800, as a client would send it.
    response = post_usage(client, body, token)
    assert response.status_code == 200
    result = response.json()
    assert result["accepted"] == ["good"]
    assert [p["where"] for p in result["rejected"][0]["problems"]] == [f"events[1].{field}"]
    assert list(UsageEvent.objects.values_list("key", flat=True)) == ["good"]


def test_an_odd_field_name_is_named_escaped(client, world, token):
    body = {"events": [event(world, "e") | {"x\ud800": 1}]}
    rejected = post_usage(client, body, token).json()["rejected"][0]
    assert rejected["problems"] == [
        {"where": 'events[0]["x\\ud800"]', "message": "is not a field of a usage event"}
    ]
    assert not UsageEvent.objects.exists()


@pytest.mark.parametrize(
    "body, place, message",
    [
        (DEEP, "body", "nests deeper than 32 levels"),
        ('{"events": ' + "[" * 40 + "]" * 40 + "}", "body.events", "nests deeper"),
        ("0", "body", 'must be an object {"events": [...]}'),
        ('"events"', "body", 'must be an object {"events": [...]}'),
        ('{"events": {}}', "body", 'must be an object {"events": [...]}'),
        ("[NaN]", "body", "NaN is not a JSON value"),
        ("\ud800", "body", "is not UTF-8"),
    ],
)
def test_a_body_that_is_no_batch_is_a_400_naming_where(
    client, token, unchanged, body, place, message
):
    data = body.encode("utf-8", "surrogatepass")
    response = client.post("/api/v1/usage", data, content_type="application/json", **token)
    assert response.status_code == 400
    problem = response.json()["problems"][0]
    assert problem["where"].startswith(place) and message in problem["message"]


# --- the telemetry API -----------------------------------------------------------------


def post_telemetry(client, body, token, content_type="application/json"):
    return client.post("/api/v1/servers/mcc-1/telemetry", body, content_type=content_type, **token)


@pytest.mark.parametrize(
    "body, message",
    [
        (DEEP, "$: nests deeper than 32 levels"),
        ('{"format": "emoncms", "content": ' + SURROGATE + "}", "$.content: contains a lone"),
        ('{"format": "emoncms\\u0000", "content": ""}', "$.format: contains a NUL"),
        ('{"content": "x", "unit": ' + SURROGATE + "}", "$.unit: contains a lone surrogate"),
        ("0", 'a JSON body is an object {"format"'),
        ('{"format": 1, "content": ""}', "format, channel, kind and unit must be text"),
    ],
)
def test_a_hostile_telemetry_json_body_is_a_422_naming_where(
    client, token, unchanged, body, message
):
    response = post_telemetry(client, body, token)
    assert response.status_code == 422
    assert message in response.json()[0]["message"]


def test_deep_emoncms_content_sent_as_text_is_a_422(client, token, unchanged):
    body = json.dumps({"format": "emoncms", "channel": "pv_wh", "content": DEEP})
    response = post_telemetry(client, body, token)
    assert response.status_code == 422
    assert "nests deeper than 32 levels" in response.json()[0]["message"]


def test_a_nul_in_a_telemetry_csv_is_refused_on_its_line(client, token, unchanged):
    body = "ts_start,interval_s,channel,energy_wh\n2026-01-10T00:00:00+11:00,3600,load\x00,1\n"
    response = post_telemetry(client, body, token, content_type="text/csv")
    assert response.status_code == 422
    assert response.json() == [{"line": 2, "message": "contains a NUL character (U+0000)"}]


def test_a_nul_in_the_telemetry_upload_form_is_refused_on_its_line(client, world, unchanged):
    assert client.login(username=world.alice.username, password=PASSWORD)
    body = b"ts_start,interval_s,channel,energy_wh\n\x00\n"
    response = client.post(
        "/manage/mcc/servers/mcc-1/telemetry/",
        {"file": SimpleUploadedFile("t.csv", body), "format": "canonical"},
    )
    assert response.status_code in (200, 400)
    assert "contains a NUL character" in response.content.decode()


# --- forms with JSON files: the dossier import and /apply/ -----------------------------

HOSTILE_DOSSIERS = [
    (DEEP.encode(), "nests deeper than 32 levels"),
    (b'{"partner": {"name": "a\\u0000"}}', "$.partner.name contains a NUL character"),
    (b'{"partner": {"name": ' + SURROGATE.encode() + b"}}", "$.partner.name contains a lone"),
    (b"\xff\xfe", "is not UTF-8 text"),
    (b"0", "dossier"),
]


@pytest.mark.parametrize("content, message", HOSTILE_DOSSIERS)
def test_a_hostile_dossier_import_is_refused_on_its_field(
    client, world, unchanged, content, message
):
    assert client.login(username=world.alice.username, password=PASSWORD)
    response = client.post(
        "/manage/mcc/dossier/import/", {"document": SimpleUploadedFile("d.json", content)}
    )
    assert response.status_code == 200
    assert message in response.content.decode().replace("&quot;", '"')


APPLICATION = {
    "name": "Hostile Co-op",
    "slug": "hostile",
    "legal_form": "cooperative",
    "registration_number": "C1",
    "summary": "Testing.",
    "locality": "Brunswick",
    "website": "hostile.example.org",
    "contact_email": "h@hostile.example.org",
}


@pytest.mark.parametrize("content, message", HOSTILE_DOSSIERS)
def test_a_hostile_dossier_in_an_application_is_refused_on_its_field(
    client, world, unchanged, content, message
):
    assert client.login(username=world.rita.username, password=PASSWORD)
    data = APPLICATION | {"dossier_file": SimpleUploadedFile("d.json", content)}
    response = client.post("/apply/", data)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&quot;", '"')


@pytest.mark.parametrize("field", ["name", "summary", "registration_number"])
def test_a_nul_in_an_application_field_is_refused_on_that_field(client, world, unchanged, field):
    assert client.login(username=world.rita.username, password=PASSWORD)
    data = APPLICATION | {field: NUL}
    response = client.post("/apply/", data)
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()


# --- page posts read without a form --------------------------------------------------


def test_a_token_name_that_is_not_text_is_refused(client, world, unchanged):
    # A form body is bytes: a lone surrogate cannot be sent, a NUL can.
    client.force_login(world.alice)
    response = client.post("/manage/mcc/tokens/", {"name": "a\x00b"}, follow=True)
    assert response.status_code == 200
    assert "Give the token a name of 1 to 80 characters" in response.content.decode()


def test_a_decision_note_with_a_nul_decides_nothing(client, world):
    application = apply_as(world)
    client.force_login(world.sam)
    response = client.post(
        reverse("qualification:application_decide", args=[application.pk]),
        {"decision": "approve", "note": "fine\x00"},
        follow=True,
    )
    assert response.status_code == 200
    assert "The note contains a NUL" in response.content.decode()
    application.refresh_from_db()
    assert application.state == application.State.SUBMITTED
