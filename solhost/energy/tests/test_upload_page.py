from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from solhost.energy.models import TelemetryReading, TelemetryUpload

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "energy"
URL = "/manage/mcc/servers/mcc-1/telemetry/"
CSV = b"""ts_start,interval_s,channel,energy_wh
2026-01-10T00:00:00+11:00,3600,load_wh,22
2026-01-10T00:00:00+11:00,3600,grid_import_wh,0
2026-01-10T01:00:00+11:00,3600,load_wh,21
"""


def send(client, content: bytes, name="readings.csv", **fields):
    data = {"file": SimpleUploadedFile(name, content, "text/csv"), "format": "canonical", **fields}
    return client.post(URL, data)


def test_a_partner_admin_uploads_readings(client, world):
    client.force_login(world.alice)

    response = send(client, CSV)

    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Stored 3 new readings from readings.csv; 0 were already stored" in page
    # Times are in the region's clock, and say so.
    assert "10 Jan 2026, 00:00 to 10 Jan 2026, 02:00 AEDT" in page
    assert TelemetryReading.objects.filter(server=world.mcc_server).count() == 3
    upload = TelemetryUpload.objects.get()
    assert (upload.uploaded_by, upload.via, upload.file_name) == (
        world.alice,
        "page",
        "readings.csv",
    )


def test_the_same_file_twice_adds_nothing(client, world):
    client.force_login(world.alice)
    send(client, CSV)

    response = send(client, CSV, name="again.csv")

    assert (
        "Stored 0 new readings from again.csv; 3 were already stored"
        in client.get(response.url).content.decode()
    )
    assert TelemetryReading.objects.count() == 3


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"2026-01-10T25:00:00+11:00,3600,load_wh,20", "Line 5: ts_start"),
        (b"2026-01-10T02:00:00+11:00,3600,load_wh,-5", "Line 5: negative energy"),
        (
            b"2026-01-10T00:30:00+11:00,1800,load_wh,10",
            "Line 5: load_wh interval of 1800 s overlaps",
        ),
        (b"2026-01-10T02:00:00+11:00,3600,pv_kwh,5", "Line 5: unknown channel"),
        (b"2029-01-10T02:00:00+11:00,3600,load_wh,5", "Line 5: the load_wh reading ends at 2029"),
        (b"1990-01-10T02:00:00+11:00,3600,load_wh,5", "Line 5: the load_wh reading starts at 1990"),
        (b"2026-01-10T02:00:00+11:00,3600,load_wh,1e15", "Line 5: load_wh 1e+15 Wh in 3600 s"),
        (b'"2026-01-10T02:00:00+11:00,3600,load_wh,5', "Line 5: a quote (&quot;) opened on this"),
        (b"2026-01-10T02:00:00+11:00,3600,load_wh,5,6", "Line 5: has 5 cells where line 1 has 4"),
    ],
)
def test_every_problem_is_shown_with_its_line_and_nothing_is_stored(client, world, line, expected):
    client.force_login(world.alice)

    response = send(client, CSV + line + b"\n")

    assert response.status_code == 200
    assert expected in response.content.decode()
    assert "The file was not stored" in response.content.decode()
    assert not TelemetryReading.objects.exists()
    assert not TelemetryUpload.objects.exists()


def test_a_wrong_unit_is_shown(client, world):
    client.force_login(world.alice)
    response = send(client, CSV.replace(b"energy_wh", b"energy_kwh"))
    assert "Line 1:" in response.content.decode()
    assert "kWh" in response.content.decode()


def test_an_adapter_needs_to_know_its_channel(client, world):
    client.force_login(world.alice)
    content = (EXAMPLES / "home-assistant-statistics.csv").read_bytes()

    refused = send(client, content, format="home_assistant")
    assert "say which channel it measures" in refused.content.decode()

    accepted = send(client, content, format="home_assistant", channel="load_wh", unit="kWh")
    assert accepted.status_code == 302
    assert TelemetryUpload.objects.get().format == "home_assistant"


def test_a_file_that_is_not_text_is_refused(client, world):
    client.force_login(world.alice)
    response = send(client, b"ts_start\n\xff\xfe")
    assert "Line 2: is not UTF-8 text" in response.content.decode()


def test_a_member_sees_the_uploads_but_cannot_send(client, world):
    client.force_login(world.bob)

    page = client.get(URL)
    assert page.status_code == 200
    assert b"Upload readings" not in page.content
    assert send(client, CSV).status_code == 403
    assert not TelemetryReading.objects.exists()


def test_another_partners_server_does_not_exist(client, world):
    client.force_login(world.carol)
    assert client.get(URL).status_code == 404
    assert send(client, CSV).status_code == 404
    client.force_login(world.alice)
    assert client.get("/manage/mcc/servers/cct-1/telemetry/").status_code == 404


def test_signing_in_is_needed(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_the_uploads_list_writes_coverage_exactly(client, world):
    client.force_login(world.alice)
    send(client, CSV)
    TelemetryUpload.objects.update(coverage_bp=9950)

    assert "99.5 %" in client.get(URL).content.decode()
