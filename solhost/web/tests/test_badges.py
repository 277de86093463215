"""The charter badge on the directory's cards and on partner pages."""

import datetime

import pytest
from django.urls import reverse

from solhost.partners.actions import update_server
from solhost.qualification.actions.evaluation import evaluate_partner
from solhost.qualification.models import QualificationRun


@pytest.mark.django_db
def test_partners_not_yet_evaluated_say_so(client, world):
    page = client.get(reverse("web:directory")).content.decode()
    assert page.count("Charter: not evaluated yet") == 2
    assert reverse("qualification:public", args=["mcc"]) in page


@pytest.mark.django_db
def test_badges_follow_the_latest_evaluation(client, world, django_assert_max_num_queries):
    evaluate_partner(organisation=world.mcc, at=datetime.date(2026, 11, 1), trigger="test")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("web:directory")).content.decode()
    # A bare test partner has no dossier, so it cannot meet the charter yet; the card
    # says as much as the partner's page.
    assert "Charter: 1 criterion not met" in page
    assert "Charter: not evaluated yet" in page
    partner_page = client.get(reverse("web:partner", args=["mcc"])).content.decode()
    assert "Charter: 1 criterion not met" in partner_page
    assert "How Merri Creek Computing meets the charter" in partner_page


@pytest.mark.django_db
def test_a_partners_edit_is_judged_again_once_committed(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        update_server(server=world.mcc_server, actor=world.alice, data={"locality": "Brunswick"})
    run = QualificationRun.objects.get(organisation=world.mcc)
    assert "partners.server.update by alice" in run.trigger
