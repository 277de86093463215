import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from solhost.core.models import Parameter, ParameterValue
from solhost.governance import actions
from solhost.governance.models import Proposal, Vote
from solhost.governance.tests.helpers import (
    EFFECTIVE,
    close,
    draft_proposal,
    open_proposal,
    vote,
)
from solhost.web.tests.pages import assert_clean_page, assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


def open_now(world, **kwargs):
    """A proposal opened an hour ago, so the live pages accept votes."""
    return open_proposal(
        world,
        opened=timezone.now() - datetime.timedelta(hours=1),
        effective_from=timezone.localdate() + datetime.timedelta(days=30),
        **kwargs,
    )


def test_index_lists_open_and_past_decisions_publicly(client, world):
    past = open_proposal(world)
    vote(world, past, world.cct, "agree")
    close(past)
    current = open_now(world)
    response = client.get(reverse("governance:index"))
    assert_clean_page(response)
    assert [p.pk for p in response.context["open"]] == [current.pk]
    assert [p.pk for p in response.context["past"]] == [past.pk]
    assert "1 agree, 0 block, 0 abstain: consent reached" in response.content.decode()
    assert "Raise a proposal" not in response.content.decode()


def test_decision_page_shows_votes_only_to_the_network(client, world):
    proposal = open_now(world)
    actions.cast_vote(
        proposal=proposal,
        organisation=world.cct,
        actor=world.carol,
        choice="block",
        comment="Too soon for us.",
    )
    url = proposal.get_absolute_url()
    anonymous = client.get(url)
    assert_clean_page(anonymous)
    assert "Too soon for us." not in anonymous.content.decode()
    assert (
        "0 agree, 1 block, 0 abstain: blocked, no consent if it closed now."
        in anonymous.content.decode()
    )
    client.force_login(world.bob)
    member = client.get(url).content.decode()
    assert "Too soon for us." in member
    assert "Cast vote" not in member  # bob is a member, not an admin
    client.force_login(world.rita)
    assert "Too soon for us." not in client.get(url).content.decode()


def test_partner_admin_votes_and_changes_the_vote(client, world):
    proposal = open_now(world)
    client.force_login(world.alice)
    page = client.get(proposal.get_absolute_url())
    assert "Cast vote" in page.content.decode()
    url = reverse("governance:vote", args=[proposal.pk])
    assert (
        client.post(
            url, {"organisation": world.mcc.pk, "choice": "block", "comment": "Wait."}
        ).status_code
        == 302
    )
    assert client.post(url, {"organisation": world.mcc.pk, "choice": "agree"}).status_code == 302
    vote = Vote.objects.get()
    assert (vote.organisation, vote.choice, vote.comment) == (world.mcc, "agree", "")
    assert client.get(proposal.get_absolute_url()).context["vote_form"].initial["choice"] == "agree"


def test_voting_for_another_organisation_is_refused_and_changes_nothing(client, world):
    proposal = open_now(world)
    url = reverse("governance:vote", args=[proposal.pk])
    for user, organisation in [
        (world.alice, world.cct),
        (world.alice, world.steward),
        (world.bob, world.mcc),
    ]:
        client.force_login(user)
        assert (
            client.post(url, {"organisation": organisation.pk, "choice": "agree"}).status_code
            == 403
        )
    assert not Vote.objects.exists()


def test_a_vote_after_close_is_refused_on_the_page(client, world):
    proposal = open_proposal(world)
    client.force_login(world.alice)
    response = client.post(
        reverse("governance:vote", args=[proposal.pk]),
        {"organisation": world.mcc.pk, "choice": "agree"},
    )
    assert response.status_code == 200
    assert (
        f"Decision {proposal.pk} is not open for votes: voting has closed."
        in response.content.decode()
    )
    assert not Vote.objects.exists()


def test_median_vote_needs_a_value(client, world):
    proposal = open_now(world, decision_type="median")
    client.force_login(world.carol)
    url = reverse("governance:vote", args=[proposal.pk])
    response = client.post(url, {"organisation": world.cct.pk, "choice": "propose"})
    assert "Give the value your organisation proposes." in response.content.decode()
    response = client.post(
        url, {"organisation": world.cct.pk, "choice": "propose", "value": "12000"}
    )
    assert (
        "The value you propose for Least land-back contribution of a settler-run partner: "
        "must be at most 100 % of gross revenue, got 120 % of gross revenue."
        in response.content.decode()
    )
    assert (
        client.post(
            url, {"organisation": world.cct.pk, "choice": "propose", "value": "1200"}
        ).status_code
        == 302
    )
    assert Vote.objects.get().value == 1200


def test_propose_add_changes_and_open(client, world):
    client.force_login(world.carol)
    assert_clean_page(client.get(reverse("governance:propose")))
    response = client.post(
        reverse("governance:propose"),
        {
            "organisation": world.cct.pk,
            "title": "Longer outages",
            "reasoning": "Storms.",
            "decision_type": "consent",
            "effective_from": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        },
    )
    proposal = Proposal.objects.get()
    assert response.url == reverse("governance:draft", args=[proposal.pk])
    assert_clean_page(client.get(response.url))
    add = reverse("governance:add_change", args=[proposal.pk])
    bad = client.post(add, {"parameter": "outage_hours", "new_value": "a week"})
    assert bad.status_code == 200
    assert (
        "The change to Length of the power outage a location must ride through: "
        "must be a whole number, got &#x27;a week&#x27;." in bad.content.decode()
    )
    too_big = client.post(add, {"parameter": "outage_hours", "new_value": "1000"})
    assert "must be at most 720 hours, got 1,000 hours." in too_big.content.decode()
    assert not proposal.changes.exists()
    assert client.post(add, {"parameter": "outage_hours", "new_value": "96"}).status_code == 302
    assert (
        client.post(
            add,
            {
                "parameter": "excluded_cloud_companies",
                "new_value": "Amazon\nGoogle\n\nMicrosoft\nOracle",
            },
        ).status_code
        == 302
    )
    assert [c.new_value for c in proposal.changes.all()] == [
        96,
        ["Amazon", "Google", "Microsoft", "Oracle"],
    ]
    assert client.post(reverse("governance:open", args=[proposal.pk])).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "open"
    assert len(mail.outbox) == 3


def test_opening_refused_lists_the_problems(client, world):
    proposal = actions.create_proposal(
        organisation=world.cct,
        author=world.carol,
        title="Empty",
        reasoning="Hm.",
        decision_type="majority",
    )
    client.force_login(world.carol)
    response = client.post(reverse("governance:open", args=[proposal.pk]))
    assert response.status_code == 200
    assert (
        "Give a resolution in words, or at least one parameter change." in response.content.decode()
    )
    proposal.refresh_from_db()
    assert proposal.status == "draft"


def test_drafts_are_private_to_the_raising_organisation(client, world):
    proposal = actions.create_proposal(
        organisation=world.cct,
        author=world.carol,
        title="Secret draft",
        reasoning="Hm.",
        decision_type="consent",
    )
    assert client.get(proposal.get_absolute_url()).status_code == 404
    client.force_login(world.alice)
    assert client.get(proposal.get_absolute_url()).status_code == 404
    assert client.get(reverse("governance:draft", args=[proposal.pk])).status_code == 404
    assert "Secret draft" not in client.get(reverse("governance:index")).content.decode()
    client.force_login(world.carol)
    assert "Secret draft" in client.get(reverse("governance:index")).content.decode()


def test_proposing_needs_an_admin(client, world):
    client.force_login(world.bob)
    assert client.get(reverse("governance:propose")).status_code == 403
    client.force_login(world.rita)
    assert client.get(reverse("governance:propose")).status_code == 403


def test_parameter_history_shows_charter_and_decision_values(client, world):
    proposal = open_proposal(world)
    vote(world, proposal, world.cct, "agree")
    close(proposal)
    response = client.get(reverse("governance:parameter", args=["land_back_min_bp"]))
    assert_clean_page(response)
    rows = response.context["rows"]
    assert [(r["value"].value, r["value"].source, r["decision"]) for r in rows] == [
        (1500, proposal.source_label, Proposal.objects.get()),
        (1000, "Charter, initial value", None),
    ]
    page = response.content.decode()
    assert "Charter, initial value" in page and f'href="{proposal.get_absolute_url()}"' in page
    assert client.get(reverse("governance:parameter", args=["no_such"])).status_code == 404


def test_parameters_index_shows_every_parameter_and_upcoming_change(client, world):
    proposal = open_proposal(world)
    vote(world, proposal, world.cct, "agree")
    close(proposal)
    ParameterValue.objects.filter(effective_from=EFFECTIVE).update(
        effective_from=timezone.localdate() + datetime.timedelta(days=5)
    )
    response = client.get(reverse("governance:parameters"))
    assert_clean_page(response)
    row = next(r for r in response.context["rows"] if r["parameter"].key == "land_back_min_bp")
    assert (row["current"].value, [v.value for v in row["upcoming"]]) == (1000, [1500])
    assert "consent_min_open_days" in response.content.decode()


def test_the_draft_text_form_shows_and_keeps_the_effective_date(client, world):
    proposal = actions.create_proposal(
        organisation=world.cct,
        author=world.carol,
        title="Outages",
        reasoning="Storms.",
        decision_type="consent",
        effective_from=datetime.date(2027, 1, 1),
    )
    client.force_login(world.carol)
    url = reverse("governance:draft", args=[proposal.pk])
    assert 'value="2027-01-01"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "organisation": world.cct.pk,
            "title": "Longer outages",
            "reasoning": "Storms.",
            "decision_type": "majority",
            "effective_from": "2027-01-01",
        },
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.title, proposal.decision_type, proposal.effective_from) == (
        "Longer outages",
        "majority",
        datetime.date(2027, 1, 1),
    )
    client.force_login(world.alice)
    assert client.post(url, {"title": "Hijack"}).status_code == 404


def test_pages_cost_the_same_queries_however_many_decisions_and_votes(client, world):
    first = open_now(world)
    client.force_login(world.alice)

    def more_decisions():
        for _ in range(3):
            proposal = open_proposal(world)
            vote(world, proposal, world.cct, "agree")
            close(proposal)
        open_now(world)

    assert_queries_do_not_grow(client, reverse("governance:index"), more_decisions)

    def more_votes():
        for organisation, actor in [(world.cct, world.carol), (world.steward, world.sam)]:
            actions.cast_vote(
                proposal=first, organisation=organisation, actor=actor, choice="agree"
            )

    assert_queries_do_not_grow(client, first.get_absolute_url(), more_votes)
    assert_queries_do_not_grow(
        client, reverse("governance:parameter", args=["land_back_min_bp"]), more_decisions
    )


def test_a_majority_rule_is_written_exactly_from_basis_points(client, world):
    proposal = open_now(world, decision_type="majority")
    Proposal.objects.filter(pk=proposal.pk).update(threshold_bp=6667, quorum_bp=5050)

    html = client.get(proposal.get_absolute_url()).content.decode()

    assert "more than 66.67% of agree and disagree votes" in html
    assert "at least 50.5% of members voting" in html


def test_a_decision_shows_each_parameters_value_today_at_one_cost(client, world):
    # A proposal changing many parameters reads what is in force today in one query.
    proposal = draft_proposal(world, changes=(("land_back_min_bp", 1500),))
    url = reverse("governance:decision", args=[proposal.pk])
    client.force_login(world.alice)

    def more_changes():
        for key, value in (("outage_hours", 96), ("outage_grace_days", 180)):
            actions.add_change(
                proposal=proposal,
                actor=world.alice,
                parameter=Parameter.objects.get(key=key),
                new_value=value,
            )

    assert_queries_do_not_grow(client, url, more_changes)
    shown = {change.parameter.key: change.current for change in client.get(url).context["changes"]}
    assert shown == {"land_back_min_bp": 1000, "outage_hours": 72, "outage_grace_days": 365}
