"""The badge keeps "not yet shown" apart from "not met", and partners see their progress."""

import datetime
import importlib
import re

from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from solhost.energy.tests.helpers import power_system
from solhost.partners.models import Organisation
from solhost.qualification.actions.evaluation import evaluate_partner
from solhost.qualification.actions.evidence import review_evidence
from solhost.qualification.badges import badge, with_qualification
from solhost.qualification.models import QualificationRun
from solhost.qualification.tests.helpers import complete_declarations
from solhost.qualification.tests.test_views import evidence, login
from solhost.web.tests.pages import assert_clean_page

AT = datetime.date(2026, 11, 1)


def badge_html(client, slug="mcc") -> str:
    html = client.get(f"/partners/{slug}/").content.decode()
    start = html.index('<a class="qual-badge')
    return html[start : html.index("</a>", start)]


def test_sending_evidence_never_makes_a_partner_look_worse(client, world):
    # A partner whose server is described has nothing failing: only proof is missing.
    power_system(world.mcc_server)
    before = badge_html(client)
    assert "Charter: not evaluated yet" in before

    item = evidence(world, public=True)  # sending it judges the partner again
    sent = badge_html(client)
    assert "qual-badge-not_yet_shown" in sent
    assert "Charter: 4 of 19 criteria shown" in sent
    assert "not met" not in sent

    complete_declarations(world.mcc)
    review_evidence(evidence=item, reviewer=world.sam, decision="approved")
    approved = badge_html(client)
    assert "Charter: 5 of 19 criteria shown" in approved


def test_a_criterion_not_met_is_said_in_red_with_how_many(client, world):
    evaluate_partner(organisation=world.mcc, at=AT, trigger="test")
    shown = badge(world.mcc)
    assert (shown["state"], shown["shown"], shown["not_met"], shown["total"]) == (
        "not_met",
        3,
        1,
        19,
    )
    assert "qual-badge-not_met" in badge_html(client)
    assert "Charter: 1 criterion not met" in badge_html(client)


def test_every_partners_badge_in_one_query(world):
    evaluate_partner(organisation=world.mcc, at=AT, trigger="test")
    with CaptureQueriesContext(connection) as queries:
        found = {
            org.slug: badge(org)["state"]
            for org in with_qualification(Organisation.objects.filter(kind="partner"))
        }
    assert len(queries) == 1
    assert found == {"mcc": "not_met", "cct": "not_evaluated"}


def test_runs_stored_before_the_counts_get_them_from_their_results(world):
    run = evaluate_partner(organisation=world.mcc, at=AT, trigger="test")
    QualificationRun.objects.update(criteria_shown=0, criteria_not_met=0, criteria_total=0)
    migration = importlib.import_module("solhost.qualification.migrations.0003_run_progress")
    migration.count_stored_runs(apps, None)
    run.refresh_from_db()
    assert (run.criteria_shown, run.criteria_not_met, run.criteria_total) == (3, 1, 19)


def test_the_dossier_lists_what_is_missing_on_the_first_visit(client, world):
    login(client, world.alice)
    response = client.get("/manage/mcc/dossier/")
    html = response.content.decode()
    assert_clean_page(response)
    # Nothing was saved, so nothing was judged and stored; the page judges what it can see.
    assert not QualificationRun.objects.exists()
    assert "Not evaluated yet" in html
    assert "3 of 19 criteria shown</strong>, 1 not met, 15 not yet shown." in html
    missing = html[
        html.index('id="missing-heading"') : html.index("</ul>", html.index("qual-missing"))
    ]
    assert "B1.1 No profit beyond labour" in missing
    assert "no financial year ended by" in missing
    assert 'href="/manage/mcc/dossier/years/add/"' in missing
    assert 'href="/manage/mcc/dossier/evidence/add/?criterion=B1.4"' in missing
    assert "S2.3 Local generation</strong> · Server MCC one" in missing
    # Roll-ups repeat their parts, so the list names the parts only.
    assert "B6 Every service" not in missing


def test_members_who_cannot_edit_see_what_is_missing_without_links(client, world):
    login(client, world.bob)
    html = client.get("/manage/mcc/dossier/").content.decode()
    assert "B1.1 No profit beyond labour" in html
    assert "/manage/mcc/dossier/years/add/" not in html


def test_the_partner_dashboard_shows_progress(client, world):
    evaluate_partner(organisation=world.mcc, at=AT, trigger="test")
    login(client, world.alice)
    html = client.get("/manage/").content.decode()
    assert "Charter: 3 of 19 criteria shown, 1 not met." in html
    assert 'href="/manage/mcc/dossier/">See what is missing' in html


def test_the_evidence_form_names_each_criterion_with_its_title(client, world):
    login(client, world.alice)
    html = client.get("/manage/mcc/dossier/evidence/add/?criterion=B1.4").content.decode()
    assert '<option value="B1.4" selected>B1.4 Labour solidarity</option>' in html
    assert (
        '<option value="S2">S2 Renewable supply of a data centre (S2.1 and S2.2)</option>' in html
    )


def test_the_public_page_gives_numbers_and_changes_in_words(client, world):
    evaluate_partner(organisation=world.mcc, at=AT, trigger="test")
    power_system(world.mcc_server)
    evaluate_partner(organisation=world.mcc, at=AT, trigger="power described")
    html = client.get("/partners/mcc/qualification/").content.decode()
    assert "$58,333.60 per FTE per year" in html
    assert "80 % of energy used" in html
    assert "5833360" not in html
    assert "S2.3 for Server MCC one: Not met → Met" in html
    # Statuses read as words in reasons and history, never as codes.
    assert not re.search(r"(?<![-\w])(needs_evidence|not_met)(?![-\w])", html)
