"""The wind-down's write path: who may act, what each step changes, one event each, and
nothing changed on refusal."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from solhost.core.models import AuditEvent
from solhost.core.problems import InputProblems
from solhost.metering.models import ActiveDay
from solhost.winddown import actions
from solhost.winddown.models import Case, HandoverOffer, WindDown
from solhost.winddown.tests.helpers import DATES, TODAY, closing_story, start


@pytest.fixture
def story(world):
    return closing_story(world)


def _case(story, resident) -> Case:
    return Case.objects.get(resident=resident)


def test_starting_opens_one_case_per_resident_and_service(story):
    wind_down = start(story)
    cases = set(wind_down.cases.values_list("resident__username", "service__slug", "state"))
    assert cases == {("rita", "mcc-files", "notified"), ("dan", "mcc-files", "notified")}
    [event] = AuditEvent.objects.filter(action="winddown.start")
    assert event.actor == story.alice and event.after["shutdown_on"] == "2027-03-31"


def test_the_steward_may_start_a_partners_wind_down(story):
    wind_down = actions.start_wind_down(
        organisation=story.mcc, actor=story.sam, dates=DATES, today=TODAY
    )
    assert wind_down.started_by == story.sam


@pytest.mark.parametrize("who", ["bob", "carol", "rita"])
def test_only_the_partners_admins_or_the_steward_start_it(story, who):
    with pytest.raises(PermissionDenied):
        actions.start_wind_down(
            organisation=story.mcc, actor=getattr(story, who), dates=DATES, today=TODAY
        )
    assert not WindDown.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="winddown").exists()


def test_dates_out_of_order_are_refused_with_each_reason(story):
    with pytest.raises(InputProblems) as refused:
        start(
            story, read_only_from=datetime.date(2026, 12, 10), shutdown_on=datetime.date(2027, 2, 1)
        )
    assert [where for where, _ in refused.value.problems] == ["read_only_from", "shutdown_on"]
    assert "comes before the end of new sign-ups (2026-12-15)" in refused.value.problems[0][1]
    assert not WindDown.objects.exists() and not Case.objects.exists()


def test_less_notice_than_the_network_asks_is_refused(story):
    with pytest.raises(InputProblems) as refused:
        start(
            story,
            read_only_from=datetime.date(2027, 1, 1),
            data_return_deadline=datetime.date(2027, 1, 15),
        )
    [(where, message)] = refused.value.problems
    assert where == "data_return_deadline"
    assert "at least 90 days" in message and "give 45" in message and "2027-03-01" in message
    assert not WindDown.objects.exists()


def test_a_partner_winds_down_once(story):
    start(story)
    with pytest.raises(ValidationError, match="already announced"):
        start(story)
    assert WindDown.objects.count() == 1


def test_marking_exports_in_bulk_records_each_case(story):
    wind_down = start(story)
    ids = list(wind_down.cases.values_list("pk", flat=True))
    assert actions.mark_exported(wind_down=wind_down, case_ids=ids, actor=story.alice) == 2
    assert set(wind_down.cases.values_list("state", flat=True)) == {"exported"}
    assert AuditEvent.objects.filter(action="winddown.case.exported").count() == 2


def test_a_bulk_export_with_another_partners_case_changes_nothing(story):
    wind_down = start(story)
    rita = _case(story, story.rita)
    with pytest.raises(InputProblems, match="Case 999 is not one of this wind-down's cases"):
        actions.mark_exported(wind_down=wind_down, case_ids=[rita.pk, 999], actor=story.alice)
    rita.refresh_from_db()
    assert rita.state == "notified"


def test_another_partner_cannot_mark_exports(story):
    wind_down = start(story)
    with pytest.raises(PermissionDenied):
        actions.mark_exported(
            wind_down=wind_down, case_ids=[_case(story, story.rita).pk], actor=story.carol
        )
    assert _case(story, story.rita).state == "notified"


def test_a_resident_moves_to_a_qualified_partner_who_accepts(story):
    start(story)
    case = actions.request_move(
        case=_case(story, story.rita), resident=story.rita, service=story.cct_files, today=TODAY
    )
    assert (case.state, case.move_to) == ("move_requested", story.cct_files)
    with pytest.raises(PermissionDenied):
        actions.accept_move(case=case, actor=story.alice)
    case = actions.accept_move(case=case, actor=story.carol)
    assert case.state == "moved"
    assert [e.action for e in AuditEvent.objects.order_by("id")][-2:] == [
        "winddown.case.move_request",
        "winddown.case.move_accept",
    ]


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("fff_files", "Fitzroy Free Files does not meet the region's charter today."),
        ("cct_service", "CCT Chat is a Chat service, not Files and calendars like MCC Files."),
        ("mcc_service", "MCC Files is run by the partner that is closing."),
    ],
)
def test_a_move_to_an_unsuitable_service_is_refused_with_the_reason(story, target, reason):
    start(story)
    case = _case(story, story.rita)
    with pytest.raises(InputProblems) as refused:
        actions.request_move(
            case=case, resident=story.rita, service=getattr(story, target), today=TODAY
        )
    assert ("service", reason) in refused.value.problems
    case.refresh_from_db()
    assert case.state == "notified" and case.move_to is None


def test_a_move_to_a_partner_that_is_closing_too_is_refused(story):
    start(story)
    actions.start_wind_down(organisation=story.cct, actor=story.carol, dates=DATES, today=TODAY)
    with pytest.raises(InputProblems, match="Coburg Commons Tech is closing too"):
        actions.request_move(
            case=_case(story, story.rita), resident=story.rita, service=story.cct_files, today=TODAY
        )


def test_a_resident_acts_only_on_their_own_case(story):
    start(story)
    dans = _case(story, story.dan)
    with pytest.raises(PermissionDenied):
        actions.request_move(case=dans, resident=story.rita, service=story.cct_files, today=TODAY)
    with pytest.raises(PermissionDenied):
        actions.decline(case=dans, resident=story.rita)
    dans.refresh_from_db()
    assert dans.state == "notified"


def test_open_cases_past_the_deadline_had_no_response(story):
    wind_down = start(story)
    actions.decline(case=_case(story, story.rita), resident=story.rita)
    assert actions.mark_no_response(today=DATES["data_return_deadline"]) == 0
    assert (
        actions.mark_no_response(today=DATES["data_return_deadline"] + datetime.timedelta(1)) == 1
    )
    states = dict(wind_down.cases.values_list("resident__username", "state"))
    assert states == {"rita": "declined", "dan": "no_response"}


def test_completing_needs_every_case_settled_before_the_deadline(story):
    wind_down = start(story)
    with pytest.raises(ValidationError, match="2 cases are still open"):
        actions.complete_wind_down(
            wind_down=wind_down, actor=story.sam, confirmed=True, today=TODAY
        )
    actions.decline(case=_case(story, story.rita), resident=story.rita)
    with pytest.raises(ValidationError, match="1 case is still open"):
        actions.complete_wind_down(
            wind_down=wind_down, actor=story.sam, confirmed=True, today=TODAY
        )
    actions.mark_exported(
        wind_down=wind_down, case_ids=[_case(story, story.dan).pk], actor=story.alice
    )
    with pytest.raises(PermissionDenied):
        actions.complete_wind_down(
            wind_down=wind_down, actor=story.alice, confirmed=True, today=TODAY
        )
    wind_down = actions.complete_wind_down(
        wind_down=wind_down, actor=story.sam, confirmed=True, today=TODAY
    )
    assert wind_down.completed_by == story.sam
    assert not wind_down.cases.filter(closed_at__isnull=True).exists()


def test_completing_after_the_deadline_closes_open_cases_as_unanswered(story):
    wind_down = start(story)
    after = DATES["data_return_deadline"] + datetime.timedelta(days=1)
    actions.complete_wind_down(wind_down=wind_down, actor=story.sam, confirmed=True, today=after)
    assert set(wind_down.cases.values_list("state", flat=True)) == {"no_response"}


def test_servers_are_offered_asked_for_and_handed_over(story):
    wind_down = start(story)
    offer = actions.offer_for_handover(
        wind_down=wind_down, actor=story.alice, server=story.mcc_server
    )
    request = actions.ask_for_handover(
        offer=offer, organisation=story.cct, actor=story.carol, note="Backups"
    )
    with pytest.raises(PermissionDenied):
        actions.record_handover(request=request, actor=story.alice)
    offer = actions.record_handover(request=request, actor=story.sam)
    assert offer.handed_to == story.cct and offer.handed_over_at is not None
    assert list(
        AuditEvent.objects.filter(action__startswith="winddown.handover")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["winddown.handover.offer", "winddown.handover.request", "winddown.handover.record"]


def test_a_partner_offers_only_its_own_servers(story):
    wind_down = start(story)
    with pytest.raises(InputProblems, match="CCT one is not one of your servers"):
        actions.offer_for_handover(wind_down=wind_down, actor=story.alice, server=story.cct_server)
    with pytest.raises(InputProblems, match="Choose one of your servers or describe"):
        actions.offer_for_handover(wind_down=wind_down, actor=story.alice, equipment="  ")
    assert not HandoverOffer.objects.exists()


def test_equipment_is_offered_in_words_and_asked_for_once(story):
    wind_down = start(story)
    offer = actions.offer_for_handover(
        wind_down=wind_down, actor=story.alice, equipment="A UPS, 1.5 kVA"
    )
    actions.ask_for_handover(offer=offer, organisation=story.cct, actor=story.carol)
    with pytest.raises(ValidationError, match="already asked"):
        actions.ask_for_handover(offer=offer, organisation=story.cct, actor=story.carol)
    with pytest.raises(PermissionDenied):
        actions.ask_for_handover(offer=offer, organisation=story.cct, actor=story.rita)


def test_completing_without_the_stewards_confirmation_changes_nothing(story):
    wind_down = start(story)
    after = DATES["data_return_deadline"] + datetime.timedelta(days=1)
    with pytest.raises(InputProblems) as refused:
        actions.complete_wind_down(
            wind_down=wind_down, actor=story.sam, confirmed=False, today=after
        )
    assert refused.value.problems == [
        ("confirm", "Tick the box to confirm the wind-down is complete.")
    ]
    wind_down.refresh_from_db()
    assert not wind_down.completed
    assert set(wind_down.cases.values_list("state", flat=True)) == {"notified"}
    assert not AuditEvent.objects.filter(action__startswith="winddown.c").exists()


def test_a_wind_down_completes_once(story):
    wind_down = start(story)
    after = DATES["data_return_deadline"] + datetime.timedelta(days=1)
    actions.complete_wind_down(wind_down=wind_down, actor=story.sam, confirmed=True, today=after)
    with pytest.raises(ValidationError, match="already complete"):
        actions.complete_wind_down(
            wind_down=wind_down, actor=story.sam, confirmed=True, today=after
        )
    assert AuditEvent.objects.filter(action="winddown.complete").count() == 1
    assert AuditEvent.objects.filter(action="winddown.settle").count() == 1


def test_a_resident_who_came_after_the_announcement_gets_a_case_once(
    story, django_capture_on_commit_callbacks, mailoutbox
):
    wind_down = start(story)
    # Carol signed in to MCC Files after the announcement, before the end of sign-ups.
    ActiveDay.objects.create(resident=story.carol, service=story.mcc_service, day=TODAY)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.open_late_cases() == 1
    case = Case.objects.get(resident=story.carol)
    assert (case.wind_down, case.service, case.state) == (wind_down, story.mcc_service, "notified")
    [event] = AuditEvent.objects.filter(action="winddown.case.open")
    assert event.object_id == str(case.pk)
    [mail] = mailoutbox
    assert mail.to == ["carol@example.org"] and "MCC Files" in mail.body
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.open_late_cases() == 0
    assert len(mailoutbox) == 1 and wind_down.cases.count() == 3


def test_no_case_opens_once_the_wind_down_is_complete(story):
    wind_down = start(story)
    after = DATES["data_return_deadline"] + datetime.timedelta(days=1)
    actions.complete_wind_down(wind_down=wind_down, actor=story.sam, confirmed=True, today=after)
    ActiveDay.objects.create(resident=story.carol, service=story.mcc_service, day=after)
    assert actions.open_late_cases() == 0
