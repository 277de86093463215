import datetime
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from solhost.qualification.actions.evaluation import evaluate_partner
from solhost.qualification.actions.evidence import review_evidence, submit_evidence
from solhost.qualification.models import Evidence, FinancialYear, QualificationRun
from solhost.qualification.tests.helpers import PDF, png
from solhost.test import PASSWORD
from solhost.web.tests.pages import assert_clean_page


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def evidence(world, *, public: bool, title="Union list"):
    return submit_evidence(
        organisation=world.mcc,
        actor=world.alice,
        data={
            "criterion": "B1.4",
            "server": None,
            "service": None,
            "title": title,
            "link": "",
            "public": public,
            "valid_from": None,
            "valid_until": None,
        },
        upload=(PDF, "union.pdf", "application/pdf"),
    )


def test_members_see_the_dossier_other_partners_get_404(client, world):
    login(client, world.bob)
    response = client.get("/manage/mcc/dossier/")
    assert response.status_code == 200
    assert_clean_page(response)
    assert b"Edit declarations" not in response.content
    login(client, world.carol)
    assert client.get("/manage/mcc/dossier/").status_code == 404
    assert client.get("/manage/mcc/dossier/declarations/").status_code == 404


def test_only_admins_edit(client, world):
    login(client, world.bob)
    assert client.get("/manage/mcc/dossier/declarations/").status_code == 403
    assert client.post("/manage/mcc/dossier/years/add/", {}).status_code == 403


def test_a_year_entered_in_dollars_is_stored_in_cents(client, world):
    login(client, world.alice)
    response = client.post(
        "/manage/mcc/dossier/years/add/",
        {
            "ends": "2026-06-30",
            "fte": "2.5",
            "gross_revenue_cents": "140000.00",
            "labour_payments_cents": "119000",
            "surplus_cents": "-10.50",
            "investor_returns_cents": "0",
            "loan_repayments_cents": "7000",
            "land_back_cents": "14000",
        },
    )
    assert response.status_code == 302
    year = FinancialYear.objects.get(organisation=world.mcc)
    assert (year.gross_revenue_cents, year.surplus_cents) == (14_000_000, -1050)


def test_a_stored_year_is_shown_in_dollars_and_cents(client, world):
    login(client, world.alice)
    client.post(
        "/manage/mcc/dossier/years/add/",
        {
            "ends": "2026-06-30",
            "fte": "2.5",
            "gross_revenue_cents": "140000",
            "labour_payments_cents": "119000",
            "surplus_cents": "-10.5",
            "investor_returns_cents": "0",
            "loan_repayments_cents": "7000",
            "land_back_cents": "14000",
        },
    )
    form = client.get("/manage/mcc/dossier/years/2026-06-30/").content.decode()
    assert 'value="140000.00"' in form
    assert 'value="-10.50"' in form
    dossier = client.get("/manage/mcc/dossier/").content.decode()
    assert "$140,000.00" in dossier
    assert "−$10.50" in dossier


def test_bad_year_lists_every_problem_and_saves_nothing(client, world):
    login(client, world.alice)
    response = client.post(
        "/manage/mcc/dossier/years/add/",
        {"ends": "someday", "fte": "0", "labour_payments_cents": "100"},
    )
    assert response.status_code == 200
    assert b"There are problems" in response.content
    assert b"Enter a valid date" in response.content
    assert not FinancialYear.objects.exists()


def test_evidence_upload_refuses_forged_types(client, world):
    login(client, world.alice)
    response = client.post(
        "/manage/mcc/dossier/evidence/add/",
        {
            "criterion": "B1.4",
            "subject": "partner",
            "title": "Union list",
            "file": SimpleUploadedFile("union.pdf", png(), content_type="application/pdf"),
        },
    )
    assert response.status_code == 200
    assert (
        "claims to be PDF (application/pdf) but its content is PNG image"
        in response.content.decode()
    )
    assert not Evidence.objects.exists()


def test_evidence_upload_is_sent_for_review(client, world):
    login(client, world.alice)
    response = client.post(
        "/manage/mcc/dossier/evidence/add/",
        {
            "criterion": "S2",
            "subject": f"server:{world.mcc_server.pk}",
            "title": "PPA",
            "file": SimpleUploadedFile("ppa.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    item = Evidence.objects.get()
    assert (item.server, item.state, item.subject) == (
        world.mcc_server,
        "submitted",
        "server:mcc-1",
    )


def test_private_evidence_files_are_served_only_to_the_partner_and_steward(client, world):
    item = evidence(world, public=False)
    url = f"/qualification/evidence/{item.pk}/file"
    assert client.get(url).status_code == 404
    login(client, world.carol)
    assert client.get(url).status_code == 404
    for user in (world.bob, world.sam):
        login(client, user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == PDF


def test_public_evidence_is_served_to_everyone_once_approved(client, world):
    item = evidence(world, public=True)
    assert client.get(f"/qualification/evidence/{item.pk}/file").status_code == 404
    review_evidence(evidence=item, reviewer=world.sam, decision="approved")
    assert client.get(f"/qualification/evidence/{item.pk}/file").status_code == 200


def test_the_review_queue_is_the_stewards(client, world):
    item = evidence(world, public=True)
    login(client, world.alice)
    assert client.get("/qualification/review/").status_code == 403
    login(client, world.sam)
    response = client.get("/qualification/review/")
    assert_clean_page(response)
    assert "Union list" in response.content.decode()
    response = client.post(f"/qualification/review/evidence/{item.pk}/", {"decision": "rejected"})
    assert b"Say what is wrong" in response.content
    response = client.post(f"/qualification/review/evidence/{item.pk}/", {"decision": "approved"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == "approved" and item.reviewed_by == world.sam


def test_public_page_shows_statuses_and_public_evidence_only(client, world):
    public = evidence(world, public=True, title="Public union letter")
    private = evidence(world, public=False, title="Private member list")
    for item in (public, private):
        review_evidence(evidence=item, reviewer=world.sam, decision="approved")
    response = client.get("/partners/mcc/qualification/")
    assert response.status_code == 200
    assert_clean_page(response)
    html = response.content.decode()
    assert "Public union letter" in html
    assert "Private member list" not in html
    assert "B5.2" in html and "Not yet shown" in html
    assert "History" in html


def test_public_page_of_a_partner_never_evaluated(client, world):
    response = client.get("/partners/cct/qualification/")
    assert "has not been evaluated" in response.content.decode()
    assert client.get("/partners/steward/qualification/").status_code == 404


def test_export_is_a_valid_dossier_and_import_lists_problems_by_path(client, world):
    from solhost.qualification.dossier import parse_dossier

    login(client, world.alice)
    exported = json.loads(b"".join([client.get("/manage/mcc/dossier/export.json").content]))
    parse_dossier(exported)
    exported["pay_ratio"]["cap"] = 0.5
    exported["servers"][0]["latitude"] = 95
    response = client.post(
        "/manage/mcc/dossier/import/",
        {"document": SimpleUploadedFile("d.json", json.dumps(exported).encode())},
    )
    html = response.content.decode()
    assert "The dossier has 2 problems" in html and "Nothing was saved." in html
    assert "$.pay_ratio.cap" in html
    assert "$.servers[0].latitude" in html
    assert not QualificationRun.objects.exists()


def test_import_saves_declarations_and_years(client, world):
    login(client, world.alice)
    document = json.loads(Path("docs/examples/dossier-qualifies.json").read_text())
    document["partner"]["name"] = world.mcc.name
    response = client.post(
        "/manage/mcc/dossier/import/",
        {"document": SimpleUploadedFile("d.json", json.dumps(document).encode())},
    )
    assert response.status_code == 302
    assert world.mcc.financial_years.count() == 2
    world.mcc.refresh_from_db()
    assert world.mcc.registration_number == "C0012345"
    assert world.mcc.declarations.commons_stewardship.startswith("Users are members")


def test_api_gives_the_latest_report(client, world):
    assert client.get("/api/v1/partners/mcc/qualification").status_code == 404
    evaluate_partner(organisation=world.mcc, at=datetime.date(2026, 11, 1), trigger="test")
    body = client.get("/api/v1/partners/mcc/qualification").json()
    assert set(body) == {
        "criteria_version",
        "qualified",
        "outcomes",
        "parameters",
        "at",
        "evaluated_at",
    }
    assert body["outcomes"][0] == {
        "criterion": "B1.1",
        "subject": "partner",
        "status": "needs_evidence",
        "reason": "no financial year ended by 2026-11-01 is declared",
    }
    assert client.get("/api/v1/partners/nope/qualification").status_code == 404


def test_badge_tag(world):
    from django.template import Context, Template

    template = Template("{% load qualification %}{% qualification_badge org %}")
    assert "not evaluated yet" in template.render(Context({"org": world.mcc}))
    evaluate_partner(organisation=world.mcc, at=datetime.date(2026, 11, 1), trigger="t")
    assert "Charter: 1 criterion not met" in template.render(Context({"org": world.mcc}))


def test_declarations_form_saves_and_re_evaluates(client, world):
    login(client, world.alice)
    response = client.get("/manage/mcc/dossier/declarations/")
    assert response.status_code == 200
    assert_clean_page(response)
    response = client.post(
        "/manage/mcc/dossier/declarations/",
        {"run_by": "settlers", "union_workers": "3", "union_members": "4"},
    )
    assert "Cannot be more than the workers (3)." in response.content.decode()
    response = client.post(
        "/manage/mcc/dossier/declarations/",
        {"run_by": "settlers", "union_workers": "3", "union_members": "3"},
    )
    assert response.status_code == 302
    assert world.mcc.declarations.union_members == 3
    assert QualificationRun.objects.get().trigger == "declarations changed by alice"


@pytest.mark.parametrize("service", ["-99999999999999999999", "9223372036854775808"])
def test_a_recommended_service_number_no_database_could_hold_is_not_a_choice(
    client, world, service
):
    world.mcc_service.lores_url = "http://files.mcc.lores"
    world.mcc_service.save()
    login(client, world.alice)
    response = client.post(
        "/manage/mcc/dossier/declarations/", {"run_by": "settlers", "lores_recommended": service}
    )
    assert response.status_code == 200
    assert f"{service} is not one of the available choices." in response.content.decode()
    assert not QualificationRun.objects.exists()
