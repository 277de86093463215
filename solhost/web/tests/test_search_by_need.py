"""A resident searches the directory for what they need, in their own words.

The region has one service of each starter kind but email, its kinds carrying the
starter search words, and a partner whose name has accents.
"""

import re

import pytest
from django.urls import reverse

from solhost.partners.kinds import STARTER_SERVICE_KINDS, starter_search_words
from solhost.partners.models import Organisation, Service, ServiceKind

DIRECTORY = reverse("web:directory")

# kind slug: (service slug, name, summary, software)
SERVICES = {
    "files": ("brunswick-cloud", "Brunswick Cloud", "Sync your folders.", "Nextcloud"),
    "chat": ("natter", "Natter", "Talk with your groups.", "Synapse"),
    "video": ("meet-up", "Meet Up", "Talk face to face.", "Jitsi Meet"),
    "websites": ("pages", "Neighbour Pages", "Digital homes for local groups.", "Hugo"),
    "code": ("forge", "Creek Forge", "Build software together.", "Forgejo"),
    "social": ("toots", "Northside Social", "Posts from the neighbourhood.", "Mastodon"),
    "forum": ("yarns", "Yarns", "Long talks about local things.", "Discourse"),
    "reference": ("library", "Offline Library", "Knowledge without the internet.", "Kiwix"),
}


@pytest.fixture
def region(world):
    Service.objects.all().delete()
    ServiceKind.objects.all().delete()
    numerique = Organisation.objects.create(
        name="Coopérative Numérique du Nord",
        slug="numerique",
        legal_form="cooperative",
        summary="Une coopérative.",
    )
    for slug, name, description, lores in STARTER_SERVICE_KINDS:
        kind = ServiceKind.objects.create(
            slug=slug,
            name=name,
            description=description,
            lores_covered=lores,
            search_words=starter_search_words(slug),
        )
        if slug in SERVICES:
            service_slug, service_name, summary, software = SERVICES[slug]
            Service.objects.create(
                organisation=numerique if slug == "reference" else world.mcc,
                slug=service_slug,
                name=service_name,
                kind=kind,
                summary=summary,
                software=software,
                licence="AGPL-3.0-or-later",
                source_url="https://example.org/src",
                url="https://example.org",
            )
    return world


def found(client, query: str) -> set[str]:
    html = client.get(DIRECTORY, {"q": query}).content.decode()
    return set(re.findall(r'<h3><a href="/services/([^/"]+)/">', html))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("storage", {"brunswick-cloud"}),
        ("stor", {"brunswick-cloud"}),
        ("file storage", {"brunswick-cloud"}),
        ("FILE STORAGE", {"brunswick-cloud"}),
        ("I need file storage", {"brunswick-cloud"}),
        ("dropbox", {"brunswick-cloud"}),
        ("Google Drive", {"brunswick-cloud"}),
        ("drive", {"brunswick-cloud"}),
        ("video call", {"meet-up"}),
        ("zoom", {"meet-up"}),
        ("Teams", {"meet-up"}),
        ("whatsapp", {"natter"}),
        ("slack", {"natter"}),
        # A video call is also a "video chat".
        ("chat", {"natter", "meet-up"}),
        ("website", {"pages"}),
        ("blog", {"pages"}),
        ("wordpress", {"pages"}),
        ("github", {"forge"}),
        # "git" starts git and github, but not the middle of "Digital".
        ("git", {"forge"}),
        ("forum", {"yarns"}),
        ("facebook", {"toots", "yarns"}),
        ("twitter", {"toots"}),
        ("mastodon", {"toots"}),
        ("wikipedia", {"library"}),
        ("encyclopédie", set()),
        ("encyclopaedia", {"library"}),
        ("cooperative numerique", {"library"}),
        ("COOPÉRATIVE", {"library"}),
        ("email", set()),
        ("gmail", set()),
        ("mail", set()),
    ],
)
def test_a_search_in_residents_words_finds_the_services_of_the_kind(
    client, region, query, expected
):
    assert found(client, query) == expected


@pytest.mark.parametrize("query", ["email", "gmail", "e-mail", "Outlook"])
def test_a_search_for_email_says_the_region_offers_none_yet(client, region, query):
    html = client.get(DIRECTORY, {"q": query}).content.decode()
    assert "No co-op in the region offers <strong>Email</strong> yet." in html


def test_the_api_search_finds_the_same_services(client, region):
    response = client.get("/api/v1/services", {"q": "video call"})
    assert [service["slug"] for service in response.json()] == ["meet-up"]
