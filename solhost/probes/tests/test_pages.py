import datetime
import re

import pytest
from django.utils import timezone

from solhost.probes.actions import probe_services
from solhost.probes.models import Incident, ProbeHour, ProbeTarget
from solhost.probes.queries import public_statuses

MINUTE = datetime.timedelta(minutes=1)


def row_of(html: str, service: str) -> str:
    """The status table's row of ``service``, tags stripped, spaces squeezed."""
    row = re.search(rf"<tr>\s*<th scope=\"row\">\s*<a [^>]*>{service}</a>.*?</tr>", html, re.S)
    assert row, f"no row for {service}"
    return " ".join(re.sub(r"<[^>]+>", " ", row.group(0)).split())


def test_the_status_page_shows_one_service_up_and_one_down(client, probed):
    page = client.get("/status/")
    assert page.status_code == 200
    html = page.content.decode()
    up = row_of(html, "MCC Files")
    assert "Up" in up and "Down" not in up
    assert "100 % 2 of 2 checks" in up
    down = row_of(html, "CCT Chat")
    assert "Down" in down and "answered HTTP 500" in down
    assert "0 % 0 of 2 checks" in down
    assert "At their last check, 1 of 2 addresses answered, and 1 is down now." in html
    # The open incident is listed, dated from its first failed check.
    down_now = html[html.index('id="open-title"') : html.index('id="services-title"')]
    assert "CCT Chat" in down_now and "Still down" in down_now
    assert "MCC Files" not in down_now


def test_the_status_page_is_linked_from_every_page(client, world):
    assert 'href="/status/"' in client.get("/").content.decode()


def test_availability_counts_each_window_separately(client, probed):
    mcc = ProbeTarget.objects.get(service=probed.mcc_service)
    # A bad hour ten days ago counts in the 30 and 90 day windows only.
    ProbeHour.objects.create(
        target=mcc, hour=timezone.now() - datetime.timedelta(days=10), checks=12, up_checks=6
    )
    public_statuses(now=timezone.now(), fresh=True)  # as the next round would
    up = row_of(client.get("/status/").content.decode(), "MCC Files")
    assert "100 % 2 of 2 checks 57.14 % 8 of 14 checks 57.14 % 8 of 14 checks" in up


def test_a_partner_sees_its_own_checks_and_incidents(client, probed):
    client.force_login(probed.carol)
    html = client.get("/manage/cct/status/").content.decode()
    assert "CCT Chat" in html and "answered HTTP 500" in html
    assert "MCC Files" not in html
    assert "Still down" in html


def test_a_partner_sees_how_its_service_answered(client, probed):
    client.force_login(probed.alice)
    html = client.get("/manage/mcc/status/").content.decode()
    assert re.search(r"HTTP 200 in \d+ ms", html)


def test_a_partner_cannot_see_another_partners_checks(client, probed):
    client.force_login(probed.carol)
    assert client.get("/manage/mcc/status/").status_code == 404
    client.force_login(probed.rita)
    assert client.get("/manage/cct/status/").status_code == 404


def test_a_partners_checks_need_signing_in(client, probed):
    page = client.get("/manage/cct/status/")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def test_a_member_counts_checks_over_an_outage_period(client, probed):
    client.force_login(probed.bob)
    now = timezone.localtime()
    page = client.get(
        "/manage/mcc/status/",
        {
            "start": (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "end": (now + datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    html = page.content.decode()
    during = html[html.index('id="during-title"') :]
    assert "MCC Files" in during and "2 of 2 up" in during


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-03-02T10:00", "end": "2026-03-01T10:00"}, "Give a time after the start."),
        ({"start": "yesterday", "end": "2026-03-01T10:00"}, "Enter a valid date/time."),
        ({"start": "2020-03-01T10:00", "end": "2020-03-02T10:00"}, "Checks are kept for 90 days"),
    ],
)
def test_a_period_that_cannot_be_counted_says_why(client, probed, query, message):
    client.force_login(probed.bob)
    page = client.get("/manage/mcc/status/", query)
    assert page.status_code == 200
    html = page.content.decode()
    assert message in html
    assert 'id="during-title"' not in html


def test_an_address_not_probed_says_why_on_the_status_page(client, world, settings, services):
    settings.SOLHOST_PROBE_PRIVATE_HOSTS = frozenset()
    world.mcc_service.url = services.base + "/"
    world.mcc_service.lores_url = ""
    world.mcc_service.save()
    probe_services(due_only=False)
    up = row_of(client.get("/status/").content.decode(), "MCC Files")
    assert "Not checked" in up and "not a public address" in up
    assert not Incident.objects.exists()


def test_the_status_page_shows_a_rounds_checks_as_soon_as_it_ends(client, up_and_down):
    assert "No service has been checked yet." in client.get("/status/").content.decode()
    probe_services(due_only=False)
    assert "1 of 2 addresses answered" in client.get("/status/").content.decode()


def test_the_dossier_leads_to_the_checks_to_cite_for_s3(client, world):
    client.force_login(world.alice)
    html = client.get("/manage/mcc/dossier/").content.decode()
    assert 'href="/manage/mcc/status/">your service checks</a>' in html
