"""The steward reads wind-downs in the admin and cannot change them there."""

from django.urls import reverse

from solhost.winddown.tests.helpers import closing_story, start


def test_the_steward_reads_cases_but_cannot_change_them(client, world):
    wind_down = start(closing_story(world))
    case = wind_down.cases.first()
    client.force_login(world.sam)
    listing = client.get(reverse("admin:winddown_case_changelist"))
    assert listing.status_code == 200
    assert "rita" in listing.content.decode()
    page = client.get(reverse("admin:winddown_case_change", args=[case.pk]))
    assert page.status_code == 200
    assert 'type="submit" value="Save"' not in page.content.decode()
    assert client.get(reverse("admin:winddown_winddown_add")).status_code == 403
