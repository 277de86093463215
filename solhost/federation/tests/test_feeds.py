"""The feeds for other networks, read back as those networks' tools would read them."""

import datetime
import json
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from solhost.core.audit import AuditAction, record
from solhost.federation.tests.java_properties import load
from solhost.governance.models import Proposal
from solhost.lores.tests.evidence import put_on_lores
from solhost.qualification.models import QualificationRun
from solhost.web.tests.pages import assert_clean_page
from solhost.winddown.models import WindDown

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def listed(world):
    """MCC qualified and its files on the LoRes mesh; CCT closing in ninety days."""
    world.mcc.founded = datetime.date(2019, 3, 8)
    world.mcc.website = "https://mcc.example.org"
    world.mcc.contact_email = "hello@mcc.example.org"
    world.mcc.save()
    QualificationRun.objects.create(
        organisation=world.mcc,
        at=datetime.date(2026, 11, 30),
        trigger="test",
        criteria_version="1",
        parameters={},
        qualified=True,
        previous_qualified=False,
        changes=[
            {"criterion": "B1.4", "subject": "partner", "from": "needs_evidence", "to": "met"}
        ],
    )
    put_on_lores(world.mcc_service, app_name="nextcloud", app_version="31.0.2")
    today = timezone.localdate()
    world.shutdown = today + datetime.timedelta(days=90)
    WindDown.objects.create(
        organisation=world.cct,
        announced_on=today,
        no_new_signups_from=today,
        read_only_from=today + datetime.timedelta(days=30),
        data_return_deadline=today + datetime.timedelta(days=60),
        shutdown_on=world.shutdown,
        started_by=world.carol,
        started_at=timezone.now(),
    )
    return world


def properties(client, url: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    return load(response.content.decode("ascii"))


def test_the_federation_file_lists_each_partner_and_not_the_steward(client, listed):
    found = properties(client, "/federation/chatonsinfos.properties")
    assert found["file.class"] == "federation"
    assert found["file.protocol"].startswith("ChatonsInfos")
    assert found["federation.name"] == "Test Region"
    assert found["federation.country.code"] == "AU"
    subs = {key: value for key, value in found.items() if key.startswith("subs.")}
    assert subs == {
        "subs.cct": "http://testserver/partners/cct/chatonsinfos.properties",
        "subs.mcc": "http://testserver/partners/mcc/chatonsinfos.properties",
    }


def test_a_partner_is_an_organisation_with_its_services_as_subs(client, listed):
    found = properties(client, "/partners/mcc/chatonsinfos.properties")
    assert found["file.class"] == "organization"
    assert found["organization.name"] == "Merri Creek Computing"
    assert found["organization.description"] == "A worker co-op in Brunswick."
    assert found["organization.website"] == "https://mcc.example.org"
    assert found["organization.startdate"] == "08/03/2019"
    assert found["organization.status.level"] == "ACTIVE"
    assert found["organization.status.description"].startswith("Meets the region's charter")
    assert found["organization.type"] == "COOPERATIVE"
    assert (found["organization.geolocation.latitude"], found["organization.country.code"]) == (
        "-37.767",
        "AU",
    )
    assert found["organization.funding.custom"] == "http://testserver/contribute/"
    assert found["subs.mcc-files"] == "http://testserver/services/mcc-files/chatonsinfos.properties"
    assert "organization.enddate" not in found


def test_a_service_carries_its_software_host_and_lores_address(client, listed):
    found = properties(client, "/services/mcc-files/chatonsinfos.properties")
    assert found["file.class"] == "service"
    assert (found["service.name"], found["service.website"]) == (
        "MCC Files",
        "https://files.mcc.example.org",
    )
    assert (found["service.status.level"], found["service.registration"]) == ("OK", "Free")
    assert found["service.startdate"] == "01/09/2025"
    assert (found["software.name"], found["software.license.name"]) == (
        "Nextcloud",
        "AGPL-3.0-or-later",
    )
    assert found["software.license.url"] == "https://spdx.org/licenses/AGPL-3.0-or-later.html"
    assert found["software.source.url"] == "https://github.com/nextcloud/server"
    assert (found["host.name"], found["host.provider.type"], found["host.country.code"]) == (
        "MCC one",
        "HOME",
        "AU",
    )
    assert found["service.lores.url"] == "http://files.mesh"
    assert "service.enddate" not in found


def test_a_closing_partners_service_carries_its_end_date(client, listed):
    found = properties(client, "/services/cct-chat/chatonsinfos.properties")
    assert found["service.enddate"] == listed.shutdown.strftime("%d/%m/%Y")
    assert found["service.status.level"] == "WARNING"
    assert found["service.status.description"] == f"Closing on {listed.shutdown:%Y-%m-%d}"
    partner = properties(client, "/partners/cct/chatonsinfos.properties")
    assert partner["organization.enddate"] == listed.shutdown.strftime("%d/%m/%Y")


@pytest.mark.parametrize(
    "url",
    [
        "/partners/steward/chatonsinfos.properties",
        "/partners/nobody/chatonsinfos.properties",
        "/services/nothing/chatonsinfos.properties",
        "/partners/steward/librehost.json",
    ],
)
def test_the_steward_and_unknown_slugs_have_no_files(client, listed, url):
    assert client.get(url).status_code == 404


def test_librehost_json_is_a_schema_org_organization(client, listed):
    response = client.get("/partners/mcc/librehost.json")
    assert response["Content-Type"] == "application/json"
    document = json.loads(response.content)
    assert (document["@context"], document["@type"]) == ("https://schema.org", "Organization")
    assert document["name"] == "Merri Creek Computing"
    assert document["tagLine"] == "A worker co-op in Brunswick."
    assert document["homeUrl"] == "https://mcc.example.org"
    assert document["description"] == "A worker co-op in Brunswick."
    assert document["contactUrl"] == "http://testserver/partners/mcc/"
    assert "privacyPolicyUrl" in document
    assert document["foundingDate"] == "2019-03-08"
    assert document["dateModified"] == "2026-11-30"
    assert [s["name"] for s in document["services"]] == ["MCC Files"]


def test_directory_json_carries_the_whole_public_directory(client, listed):
    response = client.get("/api/v1/directory.json")
    assert response.status_code == 200
    document = response.json()
    assert [p["slug"] for p in document["partners"]] == ["cct", "mcc"]
    mcc = document["partners"][1]
    assert mcc["qualification"]["state"] == "qualified"
    assert mcc["qualification"]["judged_for"] == "2026-11-30"
    services = {s["slug"]: s for s in document["services"]}
    assert services["mcc-files"]["lores"] == {
        "available": True,
        "url": "http://files.mesh",
        "app": "nextcloud",
        "app_version": "31.0.2",
        "node": "mcc-1-node",
        "checked_at": "2026-02-28T21:05:00+00:00",
    }
    assert services["cct-chat"]["lores"]["available"] is False
    assert (services["cct-chat"]["status"], services["cct-chat"]["closing_on"]) == (
        "closing",
        listed.shutdown.isoformat(),
    )
    servers = {s["slug"]: s for s in document["servers"]}
    assert servers["mcc-1"]["renewable"] == {
        "share": None,
        "as_of": None,
        "days_measured": None,
        "coverage": None,
    }
    assert servers["mcc-1"]["lores_node"] == {"name": "mcc-1-node", "state": ""}


def test_directory_json_answers_304_to_its_etag_until_something_listed_changes(client, listed):
    first = client.get("/api/v1/directory.json")
    etag = first["ETag"]
    again = client.get("/api/v1/directory.json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    listed.mcc_service.name = "MCC Cloud"
    listed.mcc_service.save()
    changed = client.get("/api/v1/directory.json", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "MCC Cloud" in changed.content.decode()


def test_directory_json_is_described_in_the_api_schema(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/directory.json"]["get"]
    assert set(operation["responses"]) >= {"200", "304"}
    assert "If-None-Match" in operation["description"]


def atom_entries(client, url: str) -> tuple[ET.Element, list[ET.Element]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 (our own answer, not untrusted)
    assert feed.tag == f"{ATOM}feed"
    return feed, feed.findall(f"{ATOM}entry")


def test_the_decisions_feed_is_atom_with_each_closed_decision(client, listed):
    closed = timezone.now()
    for title, status in (("Raise the pay ceiling", "enacted"), ("Still a draft", "draft")):
        Proposal.objects.create(
            title=title,
            reasoning="Because.",
            resolution="The network raises it.",
            decision_type="majority",
            raised_by=listed.mcc,
            author=listed.alice,
            status=status,
            closed_at=closed if status == "enacted" else None,
        )
    feed, entries = atom_entries(client, "/feeds/decisions.atom")
    assert feed.find(f"{ATOM}title").text == "Test Region: network decisions"
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Raise the pay ceiling: enacted"]
    assert "The network raises it." in entries[0].find(f"{ATOM}summary").text


def test_the_changes_feed_has_qualification_changes_and_closing_partners(client, listed):
    _, entries = atom_entries(client, "/feeds/changes.atom")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles == [
        f"Coburg Commons Tech is closing on {listed.shutdown:%Y-%m-%d}",
        "Merri Creek Computing is now qualified",
    ]
    assert (
        entries[1].find(f"{ATOM}summary").text
        == "B1.4 for Merri Creek Computing: Not yet shown → Met"
    )
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == 2


def test_the_changes_feed_says_when_a_service_comes_to_the_lores_mesh(client, listed):
    note = "MCC Files is available on LoRes: the LoRes app nextcloud 31.0.2 is installed on the node mcc-node, read 2026-12-05 05:00 UTC."
    record(actor=None, action=AuditAction.LORES_AVAILABILITY, obj=listed.mcc_service, note=note)
    _, entries = atom_entries(client, "/feeds/changes.atom")
    newest = entries[0]
    assert newest.find(f"{ATOM}title").text == "MCC Files is available on LoRes"
    assert newest.find(f"{ATOM}summary").text.startswith("The LoRes app nextcloud 31.0.2")
    assert (
        newest.find(f"{ATOM}link").get("href").startswith("http://testserver/services/mcc-files/")
    )


def test_the_public_pages_link_the_feeds_page_and_it_lists_each_partners_files(client, listed):
    home = client.get("/").content.decode()
    assert 'href="/federation/"' in home
    response = client.get("/federation/")
    assert_clean_page(response)
    page = response.content.decode()
    for href in (
        "/feeds/decisions.atom",
        "/feeds/changes.atom",
        "/api/v1/directory.json",
        "/federation/chatonsinfos.properties",
        "/partners/mcc/chatonsinfos.properties",
        "/partners/mcc/librehost.json",
    ):
        assert f'href="{href}"' in page
