"""One email at each step, to the person who must act next, sent only once committed."""

import pytest
from django.core import mail

from solhost.core.problems import InputProblems
from solhost.winddown import actions
from solhost.winddown.models import Case
from solhost.winddown.tests.helpers import TODAY, closing_story, start


@pytest.fixture
def story(world):
    return closing_story(world)


def test_each_resident_is_told_once_with_their_services_and_dates(
    story, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        start(story)
    assert sorted(m.to[0] for m in mail.outbox) == ["dan@example.org", "rita@example.org"]
    message = mail.outbox[0]
    assert message.subject == "Merri Creek Computing is closing: choose what happens to your data"
    assert "- MCC Files" in message.body and "by 1 March 2027" in message.body
    assert "/leaving/cases/" in message.body


def test_a_refused_start_sends_nothing(story, django_capture_on_commit_callbacks):
    too_soon = {"data_return_deadline": TODAY, "read_only_from": TODAY}
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InputProblems):
        start(story, **too_soon)
    assert mail.outbox == []


def test_a_move_tells_the_receiving_admins_then_the_resident(
    story, django_capture_on_commit_callbacks
):
    start(story)
    case = Case.objects.get(resident=story.rita)
    with django_capture_on_commit_callbacks(execute=True):
        actions.request_move(case=case, resident=story.rita, service=story.cct_files, today=TODAY)
    [asked] = mail.outbox
    assert asked.to == ["carol@example.org"]
    assert "rita@example.org uses MCC Files" in asked.body
    assert "/manage/cct/incoming-moves/" in asked.body
    with django_capture_on_commit_callbacks(execute=True):
        actions.accept_move(case=case, actor=story.carol)
    accepted = mail.outbox[-1]
    assert accepted.to == ["rita@example.org"]
    assert accepted.subject == "Coburg Commons Tech will take you in"


def test_a_resident_is_told_their_data_was_returned(story, django_capture_on_commit_callbacks):
    wind_down = start(story)
    case = Case.objects.get(resident=story.dan)
    with django_capture_on_commit_callbacks(execute=True):
        actions.mark_exported(wind_down=wind_down, case_ids=[case.pk], actor=story.alice)
    [message] = mail.outbox
    assert message.to == ["dan@example.org"]
    assert message.subject == "Your data from MCC Files has been returned"
