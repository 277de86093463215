"""Issue 15's walk, in a real browser: a resident who needs file storage searches the
directory in their own words, opens the service found, and reads there who runs it,
where, on what power, how it copes with an outage, and how to leave it. On a desktop and
on a phone, without sideways scrolling."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from playwright import sync_api

from solhost.demo.loader import load_demo
from solhost.energy.public_facts import facts_by_service
from solhost.partners.models import Service
from solhost.web.tests.test_e2e import Visit

pytestmark = pytest.mark.e2e

WIDTHS = (1280, 375)


def fact(page, term: str):
    """The description of ``term`` in the service's facts."""
    return page.locator(f"dl.facts dt:text-is('{term}') + dd")


def test_a_resident_finds_file_storage_and_reads_how_to_leave_it(live_server, browser):
    load_demo()
    shots = Path(django_settings.VAR_DIR) / "screenshots" / "file-storage"
    shots.mkdir(parents=True, exist_ok=True)
    expect = sync_api.expect
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        visit = Visit(page, live_server.url, shots)

        visit.goto("/services/")
        search = page.get_by_role("search")
        search.get_by_label("What do you need?").fill("I need file storage")
        search.get_by_role("button", name="Show services").click()
        page.wait_for_url("**/services/?*q=I+need+file+storage*")
        results = page.get_by_role("region", name="Results")
        expect(results.get_by_role("status")).to_contain_text(
            re.compile(r"\d+ services? matche?s? your filters")
        )
        visit.shot(f"search-{width}")

        results.locator("li.service-card h3 a").first.click()
        service = Service.objects.select_related("kind", "organisation").get(
            slug=page.url.rstrip("/").rsplit("/", 1)[1]
        )
        assert service.kind.slug == "files"
        expect(page.get_by_role("heading", level=1)).to_have_text(service.name)
        # Who runs it, where, on what power, and how it copes with an outage.
        expect(fact(page, "Run by")).to_have_text(service.organisation.name)
        for server in service.servers.all():
            expect(fact(page, "Runs on")).to_contain_text(server.name)
        for server in facts_by_service([service], at=timezone.localdate())[service.pk]:
            expect(fact(page, "Renewable power")).to_contain_text(server.renewable.sentence)
            expect(fact(page, "In a power outage")).to_contain_text(server.outage.sentence)
        # How to leave it, as its partner declared.
        leaving = page.get_by_role("heading", name="How to leave")
        leaving.scroll_into_view_if_needed()
        expect(leaving).to_be_visible()
        formats = ", ".join(service.export_format_names)
        expect(fact(page, "Its own export")).to_contain_text(re.compile(re.escape(formats), re.I))
        expect(fact(page, "Its own export")).to_contain_text(service.export_steps)
        expect(fact(page, "Moving your account")).to_contain_text(
            service.get_account_move_display()
        )
        expect(fact(page, "Moving your account")).to_contain_text(service.account_move_steps)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        visit.shot(f"service-{width}")

        context.close()
        assert visit.problems == []
        assert visit.foreign == []
