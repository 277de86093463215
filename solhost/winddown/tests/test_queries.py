"""Reads other apps use: closing dates for listings, and where residents can move."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from solhost.winddown import actions
from solhost.winddown.queries import alternatives_for, closing_dates_by_service
from solhost.winddown.tests.helpers import DATES, TODAY, closing_story, start


@pytest.fixture
def story(world):
    return closing_story(world)


def test_closing_dates_name_only_services_of_closing_partners_in_one_query(story):
    start(story)
    ids = [story.mcc_service.pk, story.cct_service.pk, story.cct_files.pk]
    with CaptureQueriesContext(connection) as queries:
        dates = closing_dates_by_service(ids)
    assert dates == {story.mcc_service.pk: DATES["shutdown_on"]}
    assert len(queries) == 1


def test_alternatives_are_the_same_kind_at_qualified_partners_not_closing(story):
    start(story)
    assert alternatives_for(story.mcc_service, today=TODAY) == [story.cct_files]
    actions.start_wind_down(organisation=story.cct, actor=story.carol, dates=DATES, today=TODAY)
    assert alternatives_for(story.mcc_service, today=TODAY) == []
