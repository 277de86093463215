"""A partner admin edits their organisation's details; the overview shows who changed what."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from solhost.core.models import AuditEvent
from solhost.partners.forms import OrganisationForm, ServerForm
from solhost.partners.models import Organisation
from solhost.partners.tests.helpers import db_state
from solhost.tests.forms import form_data

EDIT = reverse("partners:organisation_edit", args=["mcc"])
OVERVIEW = reverse("partners:organisation", args=["mcc"])


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)
    return client


def _post(client, world, **changes):
    return client.post(EDIT, form_data(OrganisationForm(instance=world.mcc), **changes))


def test_the_form_has_a_label_for_every_field_and_no_kind_or_slug(alice):
    page = alice.get(EDIT).content.decode()
    for field in ("name", "legal_form", "summary", "website", "founded"):
        assert f'<label for="id_{field}">' in page
    assert 'name="kind"' not in page
    assert 'name="slug"' not in page


def test_saving_redirects_with_a_message_and_records_one_event(alice, world):
    response = _post(alice, world, summary="Now in Coburg too.", locality="Brunswick East")
    assert response.status_code == 302 and response.url == OVERVIEW
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Saved the details of Merri Creek Computing."
    ]
    [event] = AuditEvent.objects.all()
    assert event.actor == world.alice
    assert event.changed_fields() == ["locality", "summary"]


def test_posting_the_form_unchanged_records_nothing(alice, world):
    response = _post(alice, world)
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Nothing was changed."]
    assert not AuditEvent.objects.exists()


def test_a_hostile_post_cannot_change_kind_or_slug(alice, world):
    response = _post(alice, world, kind="steward", slug="evil", summary="Harmless.")
    assert response.status_code == 302
    mcc = Organisation.objects.get(pk=world.mcc.pk)
    assert (mcc.kind, mcc.slug, mcc.summary) == ("partner", "mcc", "Harmless.")
    [event] = AuditEvent.objects.all()
    assert event.changed_fields() == ["summary"]


def test_a_name_another_organisation_uses_is_a_field_error(alice, world):
    before = db_state()
    response = _post(alice, world, name="Coburg Commons Tech")
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "Another organisation in the region already uses this name."
    ]
    assert db_state() == before


def test_errors_are_summarised_at_the_top_and_marked_on_the_fields(alice, world):
    before = db_state()
    response = _post(alice, world, summary="", website="not a web address")
    page = response.content.decode()
    assert response.status_code == 200
    start = page.index('class="error-summary"')
    summary = page[start : page.index("</ul>", start)]
    assert 'href="#id_summary"' in summary and 'href="#id_website"' in summary
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_summary_helptext id_summary_error"' in page
    assert 'id="id_summary_error"' in page
    # The page heading keeps the stored name while the form is being corrected.
    assert "<h1>Edit Merri Creek Computing</h1>" in page
    assert db_state() == before


def test_the_overview_shows_the_audit_trail(alice, world):
    _post(alice, world, summary="Now in Coburg too.")
    page = alice.get(OVERVIEW).content.decode()
    trail = page[page.index('id="trail-title"') :]
    assert "alice" in trail
    assert "Changed organisation Merri Creek Computing" in trail
    assert "summary" in trail


def test_the_trail_covers_servers_and_services_but_not_other_partners(alice, world, client):
    alice.post(
        reverse("partners:server_edit", args=["mcc", "mcc-1"]),
        form_data(ServerForm(instance=world.mcc_server), locality="Here"),
    )
    client.force_login(world.carol)
    client.post(
        reverse("partners:organisation_edit", args=["cct"]),
        form_data(OrganisationForm(instance=world.cct), summary="Carol's change."),
    )
    client.force_login(world.bob)
    trail = client.get(OVERVIEW).context["trail"]
    assert [(row["who"], row["what"], row["changed"]) for row in trail] == [
        ("alice", "MCC one", ["locality"])
    ]
