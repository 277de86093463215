import html as html_text
import re

from django.urls import reverse

from solhost.lores.tests.evidence import put_on_lores
from solhost.partners.models import Service
from solhost.web.tests.pages import assert_clean_page


def service_url(slug: str) -> str:
    return reverse("web:service", args=[slug])


def facts(html: str) -> dict[str, str]:
    dl = re.search(r'<dl class="facts">(.*?)</dl>', html, re.S).group(1)
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", dl, re.S)
    return {term: re.sub(r"\s+", " ", value).strip() for term, value in pairs}


def test_facts_about_the_service(client, world):
    world.mcc_service.software_version = "31.0.4"
    world.mcc_service.save()
    put_on_lores(world.mcc_service, app_name="nextcloud", app_version="31.0.4")
    html = client.get(service_url("mcc-files")).content.decode()
    found = facts(html)
    assert found["Software"] == "Nextcloud 31.0.4"
    assert "AGPL-3.0-or-later" in found["Licence"]
    assert 'href="https://github.com/nextcloud/server"' in found["Source code"]
    assert found["Who can use it"] == "Anyone in the region"
    assert 'href="https://files.mcc.example.org"' in found["Address"]
    assert "http://files.mesh" in found["On the LoRes mesh"]
    # The sync's evidence: which app on which node, read when (in the region's time).
    assert (
        "the app nextcloud 31.0.4 on the node mcc-1-node, read 1 March 2026, 08:05 AEDT"
        in found["On the LoRes mesh"]
    )
    assert 'href="/partners/mcc/"' in found["Run by"]
    assert "MCC one" in found["Runs on"]
    assert 'href="/services/?kind=files"' in found["Kind of service"]


def test_a_lores_address_the_sync_has_not_found_is_not_shown(client, world):
    assert world.mcc_service.lores_url
    found = facts(client.get(service_url("mcc-files")).content.decode())
    assert found["On the LoRes mesh"] == "Not offered on the mesh"


def test_a_service_off_the_mesh_says_so(client, world):
    found = facts(client.get(service_url("cct-chat")).content.decode())
    assert found["On the LoRes mesh"] == "Not offered on the mesh"
    assert "CCT one" in found["Runs on"]
    assert "MCC one" not in found["Runs on"]


def test_a_service_the_steward_runs_does_not_link_to_a_missing_page(client, world):
    world.cct_service.organisation = world.steward
    world.cct_service.save()
    found = facts(client.get(service_url("cct-chat")).content.decode())
    assert found["Run by"] == "Test Steward"


def test_a_full_service_says_it_is_not_taking_new_residents(client, world):
    assert b"Not taking new residents" not in client.get(service_url("cct-chat")).content
    world.cct_service.accepts_new_residents = False
    world.cct_service.save()
    assert b"Not taking new residents" in client.get(service_url("cct-chat")).content


def test_unknown_service_is_404(client, world):
    assert client.get(service_url("nothing")).status_code == 404


def test_service_page_is_clean(client, world):
    assert_clean_page(client.get(service_url("mcc-files")))


def test_the_servers_power_and_outage_readiness_in_words_with_a_link(client, world):
    from solhost.energy.tests.helpers import with_telemetry

    with_telemetry(world.mcc_server, days=21)
    found = facts(client.get(service_url("mcc-files")).content.decode())
    # Three weeks of readings: the share is stated with how thin it is, not as a year's.
    assert re.search(
        r"[\d.]+ % renewable over the 21 days measured so far; the share is judged once 90 % "
        r"of 365 days are measured \(5\.75 % now\)\.",
        found["Renewable power"],
    )
    assert "In its start-up grace period" in found["In a power outage"]
    assert 'href="/servers/mcc-1/energy/">Energy of MCC one</a>' in found["In a power outage"]


def test_a_server_without_readings_says_so(client, world):
    found = facts(client.get(service_url("cct-chat")).content.decode())
    assert found["Renewable power"] == (
        '<p class="energy-fact">No meter readings have been analysed yet.</p>'
    )


def test_backup_servers_are_not_worded_as_the_services_power(client, world):
    world.cct_server.role = "offsite_backup"
    world.cct_server.save()
    found = facts(client.get(service_url("cct-chat")).content.decode())
    assert "CCT one" in found["Runs on"]
    assert "Renewable power" not in found


def how_to_leave(html: str) -> str:
    """The words of the page's "How to leave" section."""
    section = html.split('<h2 id="how-to-leave">How to leave</h2>', 1)[1]
    return re.sub(r"\s+", " ", html_text.unescape(re.sub(r"<[^>]+>", " ", section))).strip()


def test_the_page_says_how_to_leave_the_service(client, world):
    Service.objects.filter(pk=world.mcc_service.pk).update(
        export_formats=["original-files", "ics"],
        export_steps="Download your files; export calendars as .ics.",
        account_move="partly",
        account_move_steps="Nextcloud's user migration app.",
    )
    response = client.get(service_url("mcc-files"))
    assert_clean_page(response)
    words = how_to_leave(response.content.decode())
    assert (
        "Its own export Original files (download or sync), iCalendar (.ics) calendars. "
        "Download your files; export calendars as .ics."
    ) in words
    assert (
        "Moving your account Partly: some of it moves to another host, the rest comes as "
        "files. Nextcloud's user migration app."
    ) in words
    assert "Download what the region holds about you" in words


def test_a_service_naming_no_export_says_so_and_one_keeping_nothing_does_not(client, world):
    words = how_to_leave(client.get(service_url("cct-chat")).content.decode())
    assert "Its own export It names no way to export your data." in words
    assert "No: take the export and start a new account elsewhere." in words
    # Saved as a partner's edit is, which renews the cached page.
    world.cct_service.account_move = "no_account"
    world.cct_service.export_steps = "Calls are not recorded."
    world.cct_service.save()
    words = how_to_leave(client.get(service_url("cct-chat")).content.decode())
    assert "names no way" not in words
    assert "Its own export Calls are not recorded." in words
    assert "Nothing to move: the service keeps no account or data about you." in words
