"""Charter B3.1 reads the wind-down through qualification's hook: its cases as they stood at
the shutdown, and the partner judged again when a case settles or the wind-down completes."""

import datetime
import re

import pytest
from django.utils import timezone

from solhost.qualification.gather import build_dossier
from solhost.qualification.models import QualificationRun
from solhost.test import PASSWORD
from solhost.winddown import actions
from solhost.winddown.models import Case
from solhost.winddown.tests.helpers import DATES, TODAY, closing_story, start

AFTER_DEADLINE = DATES["data_return_deadline"] + datetime.timedelta(days=1)


@pytest.fixture
def story(world):
    return closing_story(world)


def b3_1_of_latest_run(organisation):
    run = QualificationRun.objects.filter(organisation=organisation).latest("evaluated_at", "id")
    return run, run.results.get(criterion="B3.1")


def test_without_a_wind_down_the_dossier_has_none(story):
    assert build_dossier(story.mcc, at=TODAY).wind_down is None


def test_the_dossier_counts_the_cases_of_a_wind_down_under_way(story):
    wind_down = start(story)
    actions.mark_exported(
        wind_down=wind_down, case_ids=[Case.objects.get(resident=story.rita).pk], actor=story.alice
    )
    progress = build_dossier(story.mcc, at=TODAY).wind_down
    assert progress is not None
    assert (progress.returned, progress.moved, progress.declined, progress.left) == (1, 0, 0, 1)
    assert (progress.shutdown_on, progress.completed_on) == (DATES["shutdown_on"], None)
    assert progress.page == wind_down.get_absolute_url()


def test_a_case_settled_only_after_the_shutdown_is_left_behind(story):
    wind_down = start(story)
    rita = Case.objects.get(resident=story.rita)
    actions.mark_exported(wind_down=wind_down, case_ids=[rita.pk], actor=story.alice)
    day_after = DATES["shutdown_on"] + datetime.timedelta(days=1)
    Case.objects.filter(pk=rita.pk).update(
        changed_at=timezone.make_aware(datetime.datetime.combine(day_after, datetime.time()))
    )
    progress = build_dossier(story.mcc, at=day_after).wind_down
    assert progress is not None
    assert (progress.returned, progress.left) == (0, 2)


def test_completing_with_a_case_unanswered_gets_the_partner_judged_not_met(
    story, client, django_capture_on_commit_callbacks
):
    wind_down = start(story)
    with django_capture_on_commit_callbacks(execute=True):
        actions.mark_exported(
            wind_down=wind_down,
            case_ids=[Case.objects.get(resident=story.rita).pk],
            actor=story.alice,
        )
    run, b3_1 = b3_1_of_latest_run(story.mcc)
    assert run.trigger == "winddown.case.exported by alice"
    assert "a wind-down is under way until the shutdown on 2027-03-31" in b3_1.reason
    assert "1 returned, 0 moved, 0 declined and 1 not yet" in b3_1.reason

    with django_capture_on_commit_callbacks(execute=True):
        actions.complete_wind_down(
            wind_down=wind_down, actor=story.sam, confirmed=True, today=AFTER_DEADLINE
        )
    run, b3_1 = b3_1_of_latest_run(story.mcc)
    assert run.trigger == "winddown.complete by sam"
    assert b3_1.status == "not_met"
    assert b3_1.reason.endswith(
        "its wind-down left 1 of its 2 cases neither returned, moved nor declined by the "
        f"shutdown on 2027-03-31; see {wind_down.get_absolute_url()}"
    )
    assert run.results.get(criterion="B3").status == "not_met"
    # The partner's dossier leads from B3.1 to the wind-down's page.
    assert client.login(username=story.alice.username, password=PASSWORD)
    html = client.get("/manage/mcc/dossier/").content.decode()
    [item] = re.findall(r"<li>\s*<strong>B3\.1 .*?</li>", html, re.S)
    assert f'href="{wind_down.get_absolute_url()}">Your wind-down' in item


def test_a_wind_down_that_settled_every_case_is_told_as_such(
    story, django_capture_on_commit_callbacks
):
    wind_down = start(story)
    actions.mark_exported(
        wind_down=wind_down, case_ids=[Case.objects.get(resident=story.rita).pk], actor=story.alice
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.decline(case=Case.objects.get(resident=story.dan), resident=story.dan)
    run, b3_1 = b3_1_of_latest_run(story.mcc)
    assert run.trigger == "winddown.case.decline by dan"
    with django_capture_on_commit_callbacks(execute=True):
        actions.complete_wind_down(
            wind_down=wind_down, actor=story.sam, confirmed=True, today=AFTER_DEADLINE
        )
    run, b3_1 = b3_1_of_latest_run(story.mcc)
    assert b3_1.status != "not_met"
    assert b3_1.reason.endswith(
        "its wind-down returned or moved every case by the shutdown on 2027-03-31 "
        "(1 returned, 0 moved, 1 declined)"
    )


def test_announcing_a_move_accepted_and_a_late_case_each_get_the_partner_judged_again(
    story, django_capture_on_commit_callbacks
):
    def judged_after(action) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            action()
        run, b3_1 = b3_1_of_latest_run(story.mcc)
        [counts] = re.findall(r"of its \d+ cases, .*? not yet", b3_1.reason)
        return f"{run.trigger}: {counts}"

    assert judged_after(lambda: start(story)) == (
        "winddown.start by alice: of its 2 cases, 0 returned, 0 moved, 0 declined and 2 not yet"
    )
    case = actions.request_move(
        case=Case.objects.get(resident=story.rita),
        resident=story.rita,
        service=story.cct_files,
        today=TODAY,
    )
    assert judged_after(lambda: actions.accept_move(case=case, actor=story.carol)) == (
        "winddown.case.move_accept by carol: of its 2 cases, 0 returned, 1 moved, 0 declined "
        "and 1 not yet"
    )
    # Carol signed in to MCC Files after the announcement, before the end of sign-ups.
    story.carol.active_days.create(service=story.mcc_service, day=TODAY)
    assert judged_after(actions.open_late_cases) == (
        "winddown.case.open by system: of its 3 cases, 0 returned, 1 moved, 0 declined and "
        "2 not yet"
    )


def test_exports_marked_through_the_api_get_the_partner_judged_again_naming_it(
    story, django_capture_on_commit_callbacks
):
    wind_down = start(story)
    with django_capture_on_commit_callbacks(execute=True):
        actions.mark_exported(
            wind_down=wind_down,
            case_ids=wind_down.cases.values_list("pk", flat=True),
            actor=None,
            partner=story.mcc,
        )
    run, b3_1 = b3_1_of_latest_run(story.mcc)
    assert run.trigger == "winddown.case.exported by mcc"
    assert "2 returned, 0 moved, 0 declined and 0 not yet" in b3_1.reason
