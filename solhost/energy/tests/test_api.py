import json
from pathlib import Path

import pytest

from solhost.core.models import AuditEvent
from solhost.energy.models import EnergyAnalysis, TelemetryReading, TelemetryUpload
from solhost.energy.tests.helpers import power_system
from solhost.partners.actions import issue_api_token

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "energy"
URL = "/api/v1/servers/{}/telemetry"
CSV = """ts_start,interval_s,channel,energy_wh
2026-01-10T00:00:00+11:00,3600,load_wh,22
2026-01-10T00:00:00+11:00,3600,grid_import_wh,0
2026-01-10T00:00:00+11:00,3600,soc_pct,80
2026-01-10T01:00:00+11:00,3600,load_wh,21
"""


@pytest.fixture
def alice_token(world):
    _, plaintext = issue_api_token(organisation=world.mcc, actor=world.alice, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def post_csv(client, server, body, headers, **query):
    url = URL.format(server.slug)
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(url, body, content_type="text/csv", **headers)


def test_a_partner_sends_canonical_csv_for_its_own_server(client, world, alice_token):
    response = post_csv(client, world.mcc_server, CSV, alice_token)

    assert response.status_code == 201, response.content
    assert response.json() | {"first_start": None, "last_end": None} == {
        "server": "mcc-1",
        "format": "canonical",
        "rows_received": 4,
        "rows_added": 4,
        "rows_already_present": 0,
        "first_start": None,
        "last_end": None,
        "coverage": 1.0,
    }
    assert TelemetryReading.objects.filter(server=world.mcc_server).count() == 4
    upload = TelemetryUpload.objects.get()
    assert (upload.via, upload.uploaded_by) == ("api", None)
    assert AuditEvent.objects.filter(action="energy.telemetry.upload").count() == 1


def test_sending_the_same_rows_twice_changes_nothing(client, world, alice_token):
    post_csv(client, world.mcc_server, CSV, alice_token)
    response = post_csv(client, world.mcc_server, CSV, alice_token)

    assert response.status_code == 201
    assert (response.json()["rows_added"], response.json()["rows_already_present"]) == (0, 4)
    assert TelemetryReading.objects.count() == 4


def test_without_a_token_the_api_refuses(client, world):
    response = client.post(URL.format("mcc-1"), CSV, content_type="text/csv")
    assert response.status_code == 401
    assert not TelemetryReading.objects.exists()


def test_another_partners_server_does_not_exist_for_the_token(client, world, alice_token):
    response = post_csv(client, world.cct_server, CSV, alice_token)

    assert response.status_code == 404
    assert not TelemetryReading.objects.exists()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2026-01-10 02:00,3600,load_wh,20", "no UTC offset"),
        ("yesterday,3600,load_wh,20", "not an ISO 8601"),
        ("2026-01-10T02:00:00+11:00,3600,load_wh,-5", "negative energy"),
        ("2026-01-10T00:30:00+11:00,1800,load_wh,10", "overlaps"),
        ("2026-01-10T02:00:00+11:00,3600,pv_kwh,5", "unknown channel"),
        ("2026-01-10T02:00:00+11:00,3600,load_wh,5,kWh", "unit 'kWh' is wrong"),
    ],
)
def test_each_problem_is_reported_with_its_line_and_nothing_is_stored(
    client, world, alice_token, line, expected
):
    header, *rows = CSV.splitlines()
    if line.count(",") == 4:
        header += ",unit"
        rows = [row + "," for row in rows]
    body = "\n".join([header, *rows, line]) + "\n"

    response = post_csv(client, world.mcc_server, body, alice_token)

    assert response.status_code == 422
    problems = response.json()
    assert any(p["line"] == 6 and expected in p["message"] for p in problems), problems
    assert not TelemetryReading.objects.exists()
    assert not TelemetryUpload.objects.exists()


@pytest.mark.parametrize(
    ("body", "options", "message"),
    [
        ("ts_start,interval_s,channel,energy_wh\n", {}, "the file has no readings"),
        ("[]", {"format": "emoncms", "channel": "pv_wh", "kind": "power"}, "at least two"),
    ],
)
def test_a_file_without_readings_is_refused_not_a_crash(
    client, world, alice_token, body, options, message
):
    from solhost.energy.models import TelemetryUpload

    response = post_csv(client, world.mcc_server, body, alice_token, **options)
    assert response.status_code == 422
    [problem] = response.json()
    assert problem["line"] == 1 and problem["message"].startswith(message)
    assert not TelemetryUpload.objects.exists()


def test_a_wrong_unit_column_is_refused_at_the_header(client, world, alice_token):
    body = CSV.replace("energy_wh", "energy_kwh")
    response = post_csv(client, world.mcc_server, body, alice_token)
    assert response.status_code == 422
    assert response.json()[0]["line"] == 1
    assert "kWh" in response.json()[0]["message"]


def test_a_row_contradicting_a_stored_reading_is_refused(client, world, alice_token):
    post_csv(client, world.mcc_server, CSV, alice_token)
    changed = CSV.replace("load_wh,21", "load_wh,25")

    response = post_csv(client, world.mcc_server, changed, alice_token)

    assert response.status_code == 422
    assert response.json()[0]["line"] == 5
    assert "conflicts with a stored reading" in response.json()[0]["message"]
    assert TelemetryReading.objects.get(energy_wh=21)


def test_rows_naming_another_server_are_refused(client, world, alice_token):
    body = (
        "ts_start,interval_s,channel,energy_wh,server\n"
        "2026-01-10T00:00:00+11:00,3600,load_wh,22,mcc-1\n"
        "2026-01-10T00:00:00+11:00,3600,grid_import_wh,0,\n"
        "2026-01-10T00:00:00+11:00,3600,soc_pct,80,mcc-1\n"
        "2026-01-10T01:00:00+11:00,3600,load_wh,21,cct-1\n"
    )

    response = post_csv(client, world.mcc_server, body, alice_token)

    assert response.status_code == 422
    assert response.json() == [
        {"line": 5, "message": "server 'cct-1' is not 'mcc-1', the server this upload is for"}
    ]


def test_an_adapter_export_is_sent_as_json(client, world, alice_token):
    content = (EXAMPLES / "emoncms-solar-power.json").read_text()
    body = {"format": "emoncms", "channel": "pv_wh", "kind": "power", "content": content}

    response = client.post(
        URL.format("mcc-1"), json.dumps(body), content_type="application/json", **alice_token
    )

    assert response.status_code == 201, response.content
    assert response.json()["format"] == "emoncms"
    assert set(TelemetryReading.objects.values_list("channel", flat=True)) == {0}


def test_an_adapter_csv_is_sent_with_its_format_in_the_query(client, world, alice_token):
    content = (EXAMPLES / "victron-vrm.csv").read_text()
    response = post_csv(client, world.mcc_server, content, alice_token, format="victron")
    assert response.status_code == 201, response.content
    assert response.json()["rows_added"] > 0


def test_a_json_body_missing_its_options_is_refused(client, world, alice_token):
    body = {"format": "emoncms", "content": [[1768000000, 5], [1768000600, 6]]}
    response = client.post(
        URL.format("mcc-1"), json.dumps(body), content_type="application/json", **alice_token
    )
    assert response.status_code == 422
    assert response.json()[0]["line"] is None
    assert "which channel" in response.json()[0]["message"]


def test_an_upload_redoes_the_servers_analysis(
    client, world, alice_token, django_capture_on_commit_callbacks
):
    power_system(world.mcc_server)
    with django_capture_on_commit_callbacks(execute=True):
        post_csv(client, world.mcc_server, CSV, alice_token)

    analysis = EnergyAnalysis.objects.get(server=world.mcc_server)
    assert str(analysis.as_of) == "2026-01-10"
    assert analysis.days_measured == 0


def test_a_file_larger_than_django_keeps_in_memory_is_taken(client, world, alice_token, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    rows = "".join(
        "2026-01-10T00:00:00+11:00,3600,load_wh,22\n".replace("00:00:00", f"{h:02d}:00:00")
        for h in range(24)
    )
    response = post_csv(client, world.mcc_server, CSV.splitlines()[0] + "\n" + rows, alice_token)
    assert response.status_code == 201, response.content
    assert response.json()["rows_added"] == 24


def test_a_file_above_the_upload_limit_is_refused(client, world, alice_token, settings):
    settings.ENERGY_UPLOAD_MAX_BYTES = 1024 * 1024
    body = CSV + "\n" * (1024 * 1024)
    response = post_csv(client, world.mcc_server, body, alice_token)
    assert response.status_code == 422
    assert "larger than 1 MB" in response.json()[0]["message"]
    assert not TelemetryReading.objects.exists()


def test_readings_the_server_cannot_have_made_are_refused_each_with_its_line(
    client, world, alice_token
):
    power_system(world.mcc_server, pv_kwp=0.5)
    body = CSV + (
        "2029-01-10T00:00:00+11:00,3600,load_wh,20\n"
        "1990-01-10T00:00:00+11:00,3600,load_wh,20\n"
        "2026-01-10T12:00:00+11:00,3600,pv_wh,1001\n"
        "2026-01-10T12:00:00+11:00,3600,grid_import_wh,1e300\n"
    )

    response = post_csv(client, world.mcc_server, body, alice_token)

    assert response.status_code == 422
    assert [(p["line"], p["message"].split(" ")[:3]) for p in response.json()] == [
        (6, ["the", "load_wh", "reading"]),
        (7, ["the", "load_wh", "reading"]),
        (8, ["pv_wh", "1001", "Wh"]),
        (9, ["grid_import_wh", "1e+300", "Wh"]),
    ]
    assert "in the future" in response.json()[0]["message"]
    assert "before 2025-09-01, the day the server began operating" in response.json()[1]["message"]
    assert "0.5 kWp of panels" in response.json()[2]["message"]
    assert not TelemetryReading.objects.exists()
    assert not TelemetryUpload.objects.exists()
