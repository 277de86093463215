import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from solhost.core.audit import events_for
from solhost.core.models import Parameter, ParameterValue, parameter_value
from solhost.governance import actions, queries
from solhost.governance.models import NoticeSent, Proposal, Vote
from solhost.governance.tests.helpers import EFFECTIVE, OPENED, close, during, open_proposal, vote

pytestmark = pytest.mark.django_db


def draft(world, *, author=None, organisation=None, decision_type="consent", **extra):
    return actions.create_proposal(
        organisation=organisation or world.mcc,
        author=author or world.alice,
        title="Raise the land-back minimum",
        reasoning="Land back is owed.",
        decision_type=decision_type,
        **extra,
    )


def messages(error):
    return error.value.messages


# Raising a proposal


def test_partner_admin_and_steward_raise_proposals_but_members_and_outsiders_cannot(world):
    assert draft(world).status == "draft"
    assert draft(world, author=world.sam, organisation=world.steward).raised_by == world.steward
    for author, organisation in [
        (world.bob, world.mcc),
        (world.carol, world.mcc),
        (world.rita, world.mcc),
    ]:
        with pytest.raises(PermissionDenied):
            draft(world, author=author, organisation=organisation)
    assert Proposal.objects.count() == 2


def test_a_change_that_does_not_fit_its_parameter_is_refused_naming_it(world):
    proposal = draft(world)
    parameter = Parameter.objects.get(key="land_back_min_bp")
    for bad, reason in [
        ("lots", "must be a whole number, got 'lots'"),
        (10_001, "must be at most 100 % of gross revenue, got 100.01 % of gross revenue"),
    ]:
        with pytest.raises(ValidationError) as error:
            actions.add_change(
                proposal=proposal, actor=world.alice, parameter=parameter, new_value=bad
            )
        assert messages(error)[0] == f"The change to {parameter.title}: {reason}."
    assert not proposal.changes.exists()


def test_opening_reports_every_problem_and_changes_nothing(world):
    proposal = draft(world, decision_type="median")
    for key, value in [("land_back_min_bp", 1500), ("excluded_cloud_companies", ["Amazon"])]:
        actions.add_change(
            proposal=proposal,
            actor=world.alice,
            parameter=Parameter.objects.get(key=key),
            new_value=value,
        )
    # A value that fitted when added but no longer fits (the range narrowed since).
    Parameter.objects.filter(key="land_back_min_bp").update(maximum=1200)
    with pytest.raises(ValidationError) as error:
        actions.open_proposal(
            proposal=proposal,
            actor=world.alice,
            now=OPENED,
            closes_at=OPENED + datetime.timedelta(days=3),
        )
    assert messages(error) == [
        "Change 1 (Least land-back contribution of a settler-run partner → 15 % of gross "
        "revenue): must be at most 12 % of gross revenue, got 15 % of gross revenue.",
        "A median-of-proposals decision sets exactly one number: give one change, not 2.",
        "A median of proposals decision stays open at least 14 days: close it on or after 16 November 2026, 09:00 AEDT.",
        "Give the day the changes take effect.",
    ]
    proposal.refresh_from_db()
    assert proposal.status == "draft" and not proposal.electorate.exists()
    assert not mail.outbox


def test_opening_needs_a_resolution_or_a_change_and_an_effective_date_after_closing(world):
    with pytest.raises(ValidationError) as error:
        actions.open_proposal(proposal=draft(world), actor=world.alice, now=OPENED)
    assert messages(error) == ["Give a resolution in words, or at least one parameter change."]
    with pytest.raises(ValidationError) as error:
        open_proposal(world, effective_from=datetime.date(2026, 11, 9), days=7)
    assert messages(error) == [
        "The changes must take effect after the decision closes (9 November 2026), "
        "so that no past report or payout changes."
    ]


def test_opening_fixes_the_electorate_and_the_majority_rule_and_emails_admins(world):
    proposal = open_proposal(world, decision_type="majority")
    assert proposal.status == "open"
    assert set(proposal.electorate.all()) == {world.steward, world.mcc, world.cct}
    assert (proposal.threshold_bp, proposal.quorum_bp) == (5000, 5000)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "alice@example.org",
        "carol@example.org",
        "sam@example.org",
    ]
    assert (
        mail.outbox[0].subject
        == f"Open for your vote: decision {proposal.pk}, Raise the land-back minimum"
    )
    assert f"/governance/decisions/{proposal.pk}/" in mail.outbox[0].body
    trail = [e.action for e in events_for(proposal)]
    assert (trail[0], trail[-1]) == ("governance.proposal.open", "governance.proposal.create")


def test_the_default_open_period_is_the_shortest_for_its_type(world):
    proposal = draft(world, resolution="Adopt the interoperability guideline.")
    proposal = actions.open_proposal(proposal=proposal, actor=world.alice, now=OPENED)
    assert proposal.closes_at == OPENED + datetime.timedelta(days=7)


def test_a_draft_is_changed_only_while_a_draft(world):
    proposal = open_proposal(world)
    with pytest.raises(ValidationError, match="only a draft can be changed"):
        actions.add_change(
            proposal=proposal,
            actor=world.alice,
            parameter=Parameter.objects.get(key="outage_hours"),
            new_value=48,
        )


# Voting


def test_one_vote_per_organisation_changeable_until_close(world):
    proposal = open_proposal(world)
    vote(world, proposal, world.mcc, "block", comment="Not yet.")
    vote(world, proposal, world.mcc, "agree", comment=" Fine now. ")
    assert Vote.objects.get(proposal=proposal, organisation=world.mcc).comment == "Fine now."
    assert proposal.votes.count() == 1
    changed = Vote.objects.get()
    assert [e.action for e in events_for(changed)] == [
        "governance.vote.change",
        "governance.vote.cast",
    ]


def test_a_vote_after_close_is_refused(world):
    proposal = open_proposal(world)
    with pytest.raises(ValidationError, match="not open for votes"):
        actions.cast_vote(
            proposal=proposal,
            organisation=world.cct,
            actor=world.carol,
            choice="agree",
            now=proposal.closes_at,
        )
    close(proposal)
    with pytest.raises(ValidationError, match="not open for votes"):
        vote(world, proposal, world.cct, "agree")
    assert not Vote.objects.exists()


def test_voting_for_another_organisation_or_as_a_plain_member_is_refused(world):
    proposal = open_proposal(world)
    for actor, organisation in [
        (world.carol, world.mcc),
        (world.bob, world.mcc),
        (world.alice, world.steward),
    ]:
        with pytest.raises(PermissionDenied, match=f"You cannot act for {organisation.name}"):
            actions.cast_vote(
                proposal=proposal,
                organisation=organisation,
                actor=actor,
                choice="agree",
                now=during(proposal),
            )
    assert not Vote.objects.exists()


def test_a_choice_must_fit_the_decision_type(world):
    proposal = open_proposal(world, decision_type="majority")
    with pytest.raises(ValidationError, match="'block' is not a choice in a majority decision"):
        vote(world, proposal, world.mcc, "block")


def test_an_organisation_that_joined_after_opening_cannot_vote(world):
    proposal = open_proposal(world)
    newcomer = type(world.mcc).objects.create(
        name="New Co", slug="new", legal_form="cooperative", summary="."
    )
    newcomer.memberships.create(user=world.rita, role="partner_admin")
    with pytest.raises(ValidationError, match="New Co was not a member when decision"):
        actions.cast_vote(
            proposal=proposal,
            organisation=newcomer,
            actor=world.rita,
            choice="agree",
            now=during(proposal),
        )


def test_a_median_value_is_checked_against_the_parameter(world):
    proposal = open_proposal(world, decision_type="median")
    with pytest.raises(
        ValidationError,
        match="The value you propose for Least land-back contribution of a settler-run "
        "partner: must be at most 100 % of gross revenue, got 200 % of gross revenue",
    ):
        vote(world, proposal, world.mcc, "propose", value=20_000)
    assert vote(world, proposal, world.mcc, "propose", value=1200).value == 1200
    assert vote(world, proposal, world.mcc, "abstain", value=1300).value is None


# Closing and enactment


def test_consent_enacts_new_dated_values_with_an_audit_event(world):
    proposal = open_proposal(world)
    vote(world, proposal, world.mcc, "agree")
    vote(world, proposal, world.cct, "agree")
    vote(world, proposal, world.steward, "abstain")
    mail.outbox.clear()
    [(closed, problem)] = close(proposal)
    assert problem == ""
    assert closed.status == "enacted"
    assert closed.explanation == "2 agree, 0 block, 1 abstain: consent reached"
    assert closed.closed_at == proposal.closes_at
    written = ParameterValue.objects.get(
        parameter__key="land_back_min_bp", effective_from=EFFECTIVE
    )
    assert (written.value, written.source) == (
        1500,
        f"Decision {proposal.pk}: Raise the land-back minimum",
    )
    enacted = events_for(proposal).get(action="governance.proposal.enact")
    assert enacted.after["parameter_values"] == [{"parameter": "land_back_min_bp", "value": 1500}]
    assert len(mail.outbox) == 3 and mail.outbox[0].subject.startswith("Result:")
    assert "It is enacted: the new values take effect on 1 December 2026." in mail.outbox[0].body


def test_a_single_block_rejects_and_changes_nothing(world):
    proposal = open_proposal(world)
    vote(world, proposal, world.mcc, "agree")
    vote(world, proposal, world.cct, "block")
    [(closed, _)] = close(proposal)
    assert closed.status == "rejected"
    assert closed.explanation == "1 agree, 1 block, 0 abstain: blocked, no consent"
    assert parameter_value("land_back_min_bp", at=EFFECTIVE) == 1000


def test_no_votes_rejects(world):
    [(closed, _)] = close(open_proposal(world, decision_type="majority"))
    assert closed.status == "rejected"
    assert (
        closed.explanation
        == "0 agree, 0 disagree, 0 abstain of 3 members: quorum of 50% not reached"
    )


def test_majority_exactly_at_quorum_passes(world):
    Parameter.objects.get(key="majority_quorum_bp").values.update(value=6667)
    proposal = open_proposal(world, decision_type="majority")
    vote(world, proposal, world.mcc, "agree")
    assert not queries.count(proposal).passed
    vote(world, proposal, world.cct, "abstain")
    # 2 of 3 members is 66.67%: at the quorum of 6667 bp (rounded up to whole basis points? no:
    # 2 × 10000 = 20000 < 6667 × 3 = 20001), so the quorum is just missed.
    assert not queries.count(proposal).passed
    Proposal.objects.filter(pk=proposal.pk).update(quorum_bp=6666)
    proposal.refresh_from_db()
    assert queries.count(proposal).passed


def test_median_with_an_even_count_adopts_the_lower_middle_value(world):
    proposal = open_proposal(world, decision_type="median")
    vote(world, proposal, world.mcc, "propose", value=1500)
    vote(world, proposal, world.cct, "propose", value=1200)
    [(closed, _)] = close(proposal)
    assert closed.adopted_value == 1200
    assert parameter_value("land_back_min_bp", at=EFFECTIVE) == 1200


def test_a_resolution_without_changes_is_enacted_without_values(world):
    proposal = open_proposal(world, changes=(), resolution="Adopt the interoperability guideline.")
    vote(world, proposal, world.cct, "agree")
    [(closed, _)] = close(proposal)
    assert closed.status == "enacted"
    assert not ParameterValue.objects.filter(source__startswith="Decision").exists()


def test_closing_is_safe_to_re_run_and_sends_each_notice_once(world):
    proposal = open_proposal(world)
    vote(world, proposal, world.cct, "agree")
    assert actions.close_due_decisions(now=during(proposal)) == []
    close(proposal)
    sent = len(mail.outbox)
    assert close(proposal) == []
    assert len(mail.outbox) == sent
    assert list(proposal.notices.values_list("kind", flat=True)) == ["opened", "result"]
    assert ParameterValue.objects.filter(parameter__key="land_back_min_bp").count() == 2


def test_a_clash_on_the_effective_day_leaves_the_decision_closed_until_resolved(world):
    first, second = (
        open_proposal(world),
        open_proposal(world, changes=(("land_back_min_bp", 2000),)),
    )
    for proposal in (first, second):
        vote(world, proposal, world.cct, "agree")
    handled = dict((p.pk, problem) for p, problem in close(first))
    assert handled[first.pk] == ""
    assert handled[second.pk].startswith(
        "land_back_min_bp already has a value from 2026-12-01 (Decision"
    )
    second.refresh_from_db()
    assert (second.status, second.passed) == ("closed", True)
    assert not second.notices.filter(kind="result").exists()
    ParameterValue.objects.filter(source__startswith=f"Decision {first.pk}:").delete()
    assert dict((p.pk, problem) for p, problem in close(second)) == {second.pk: ""}
    assert parameter_value("land_back_min_bp", at=EFFECTIVE) == 2000


def test_reminders_go_48_hours_before_closing_once(world):
    proposal = open_proposal(world)
    mail.outbox.clear()
    early = proposal.closes_at - datetime.timedelta(hours=49)
    assert actions.send_due_notices(now=early) == []
    due = proposal.closes_at - datetime.timedelta(hours=47)
    assert actions.send_due_notices(now=due) == [(proposal, "closing_soon")]
    assert actions.send_due_notices(now=due) == []
    assert len(mail.outbox) == 3
    assert mail.outbox[0].subject.startswith("Closes in 48 hours:")
    assert NoticeSent.objects.get(kind="closing_soon").recipients == 3


def test_a_notice_the_mail_server_refuses_is_sent_by_the_next_sweep(world, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(actions, "send_mass_mail", refuse)
    proposal = open_proposal(world)
    assert proposal.status == "open"
    assert not proposal.notices.exists()
    monkeypatch.undo()
    assert actions.send_due_notices(now=during(proposal)) == [(proposal, "opened")]
    assert len(mail.outbox) == 3
