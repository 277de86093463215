import pytest
from django.urls import reverse

from solhost.core.models import AuditEvent
from solhost.governance.models import NoticeSent, Proposal, ProposedChange, Vote
from solhost.governance.tests.helpers import open_proposal, vote
from solhost.tests.forms import form_data


@pytest.mark.parametrize("model", [Proposal, ProposedChange, Vote, NoticeSent])
def test_every_governance_admin_page_loads_and_shows_the_trail(client, world, model):
    proposal = open_proposal(world)
    vote(world, proposal, world.cct, "agree")
    client.force_login(world.sam)
    meta = model._meta
    assert (
        client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")).status_code
        == 200
    )
    obj = model.objects.first()
    page = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]))
    assert page.status_code == 200
    assert "Audit trail" in page.content.decode()


def test_an_admin_save_is_audited(client, world):
    proposal = open_proposal(world)
    client.force_login(world.sam)
    url = reverse("admin:governance_noticesent_change", args=[proposal.notices.get().pk])
    page = client.get(url)
    data = form_data(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        data.update(form_data(inline.formset.management_form))
    response = client.post(url, {**data, "recipients": 2})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="admin.noticesent.change").exists()


def test_the_steward_reads_each_kind_of_record_by_a_plain_english_name(client, world):
    client.force_login(world.sam)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Notices sent" in index and "CSV mappings" in index
