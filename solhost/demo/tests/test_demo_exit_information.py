"""The demo's services say how residents leave them: as usual for their kind, or in their
own words where the demo's partner does otherwise."""

import pytest

from solhost.demo.loader import load_demo
from solhost.partners.kinds import STARTER_EXIT_INFORMATION
from solhost.partners.models import Service


@pytest.mark.django_db
def test_every_demo_service_says_how_to_leave_it(client):
    load_demo()
    services = Service.objects.select_related("kind")
    assert services.exists()
    for service in services.exclude(slug="coburg-noticeboard"):
        assert service.exit_information() == STARTER_EXIT_INFORMATION[service.kind.slug]
        assert service.kind.exit_information() == STARTER_EXIT_INFORMATION[service.kind.slug]
    noticeboard = services.get(slug="coburg-noticeboard")
    assert noticeboard.export_formats == ["markdown", "git"]
    assert noticeboard.account_move == "no_account"
    assert all(service.names_export_method for service in services)
    page = client.get(noticeboard.get_absolute_url()).content.decode()
    assert "Markdown, Git repositories with their history." in page
