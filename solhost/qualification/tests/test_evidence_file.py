"""Who may download an evidence file, for every review state, and what the public page links."""

import datetime

import pytest
from django.utils import timezone

from solhost.qualification.actions.evidence import review_evidence, submit_evidence
from solhost.qualification.models import Evidence
from solhost.qualification.tests.helpers import PDF
from solhost.test import PASSWORD

STATES = ("submitted", "more_requested", "rejected", "approved", "expired")


def evidence_in(world, state: str, *, public: bool) -> Evidence:
    item = submit_evidence(
        organisation=world.mcc,
        actor=world.alice,
        data={
            "criterion": "B1.4",
            "server": None,
            "service": None,
            "title": f"Union list, {state}",
            "link": "",
            "public": public,
            "valid_from": None,
            "valid_until": None,
        },
        upload=(PDF, "union.pdf", "application/pdf"),
    )
    if state != "submitted":
        decision = "approved" if state == "expired" else state
        review_evidence(evidence=item, reviewer=world.sam, decision=decision, comment="Noted.")
    if state == "expired":
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        Evidence.objects.filter(pk=item.pk).update(valid_until=yesterday)
    return item


def status_for(client, world, persona: str, item: Evidence) -> int:
    client.logout()
    if persona != "anonymous":
        assert client.login(username=getattr(world, persona).username, password=PASSWORD)
    response = client.get(f"/qualification/evidence/{item.pk}/file")
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == PDF
    return response.status_code


@pytest.mark.parametrize("public", [True, False])
@pytest.mark.parametrize("state", STATES)
def test_the_partners_members_and_the_steward_always_get_the_file(client, world, state, public):
    item = evidence_in(world, state, public=public)
    for persona in ("alice", "bob", "sam"):
        assert status_for(client, world, persona, item) == 200, persona


@pytest.mark.parametrize("public", [True, False])
@pytest.mark.parametrize("state", STATES)
def test_others_get_only_public_approved_unexpired_files(client, world, state, public):
    item = evidence_in(world, state, public=public)
    expected = 200 if public and state == "approved" else 404
    for persona in ("anonymous", "carol"):
        assert status_for(client, world, persona, item) == expected, persona


def test_only_files_everyone_may_get_are_cached_publicly(client, world):
    approved = evidence_in(world, "approved", public=True)
    waiting = evidence_in(world, "submitted", public=True)
    assert client.get(f"/qualification/evidence/{approved.pk}/file")["Cache-Control"] == (
        "public, max-age=300"
    )
    assert client.login(username=world.bob.username, password=PASSWORD)
    assert client.get(f"/qualification/evidence/{waiting.pk}/file")["Cache-Control"] == (
        "private, no-store"
    )


def test_the_public_page_links_only_files_everyone_may_get(client, world):
    shown = {state: evidence_in(world, state, public=True) for state in STATES}
    html = client.get("/partners/mcc/qualification/").content.decode()
    for state, item in shown.items():
        link = f"/qualification/evidence/{item.pk}/file"
        assert (link in html) == (state == "approved"), state
        assert (item.title in html) == (state == "approved"), state
