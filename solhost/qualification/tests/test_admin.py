"""The steward's tools for qualification: every page loads, saves are audited, approval works."""

import datetime

import pytest
from django.urls import reverse

from solhost.core.models import AuditEvent
from solhost.partners.models import Membership, Organisation
from solhost.qualification.actions.applications import reject_application, submit_application
from solhost.qualification.actions.evaluation import evaluate_partner
from solhost.qualification.actions.evidence import review_evidence, submit_evidence
from solhost.qualification.models import (
    Application,
    CloudRangeList,
    CriterionResult,
    Declarations,
    Evidence,
    EvidenceComment,
    FinancialYear,
    QualificationRun,
)
from solhost.qualification.tests.helpers import PDF, TODAY, complete_declarations
from solhost.tests.forms import admin_form_data


@pytest.fixture
def sam(client, world):
    client.force_login(world.sam)
    return client


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:qualification_{model._meta.model_name}_{view}", args=args)


def _application(world) -> Application:
    return submit_application(
        applicant=world.rita,
        data={
            "name": "Merri Creek Hosting Co-operative",
            "slug": "mch",
            "legal_form": "cooperative",
            "registration_number": "C0012345",
            "summary": "Hosting.",
            "locality": "Brunswick East",
            "website": "https://mch.example.org",
            "contact_email": "hi@mch.example.org",
            "dossier": None,
        },
    )


@pytest.fixture
def records(world):
    """One record of every qualification model."""
    declarations = complete_declarations(world.mcc)
    year = FinancialYear.objects.create(
        organisation=world.mcc,
        ends=datetime.date(2026, 6, 30),
        gross_revenue_cents=10_000_000,
        labour_payments_cents=8_000_000,
        fte=2,
        surplus_cents=0,
        investor_returns_cents=0,
        loan_repayments_cents=0,
        land_back_cents=1_000_000,
    )
    evidence = submit_evidence(
        organisation=world.mcc,
        actor=world.alice,
        data={
            "criterion": "B1.4",
            "server": None,
            "service": None,
            "title": "Union list",
            "link": "",
            "public": False,
            "valid_from": None,
            "valid_until": None,
        },
        upload=(PDF, "union.pdf", "application/pdf"),
    )
    review_evidence(
        evidence=evidence, reviewer=world.sam, decision="more_requested", comment="Dated list?"
    )
    run = evaluate_partner(organisation=world.mcc, at=TODAY, trigger="tests")
    ranges = CloudRangeList.objects.create(
        provider="aws",
        company="Amazon",
        networks="3.0.0.0/15",
        count=1,
        sha256="0" * 64,
        source_name="ip-ranges.json",
    )
    AuditEvent.objects.all().delete()
    return {
        Declarations: declarations,
        FinancialYear: year,
        Evidence: Evidence.objects.get(pk=evidence.pk),
        EvidenceComment: EvidenceComment.objects.get(evidence=evidence),
        Application: _application(world),
        QualificationRun: run,
        CriterionResult: run.results.first(),
        CloudRangeList: ranges,
    }


MODELS = [
    Declarations,
    FinancialYear,
    Evidence,
    EvidenceComment,
    Application,
    QualificationRun,
    CriterionResult,
    CloudRangeList,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_changelist_add_and_change_pages_load_for_the_steward(sam, records, model):
    obj = records[model]
    changelist = sam.get(_url(model, "changelist"))
    assert changelist.status_code == 200
    assert str(obj) in changelist.content.decode()
    assert sam.get(_url(model, "add")).status_code == 200
    change = sam.get(_url(model, "change", obj.pk))
    assert change.status_code == 200
    assert "Audit trail" in change.content.decode()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_the_admin_is_the_stewards_alone(client, records, world, model):
    client.force_login(world.alice)
    response = client.get(_url(model, "change", records[model].pk))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    ("model", "changes", "field"),
    [
        (Declarations, {"union_members": "2"}, "union_members"),
        (FinancialYear, {"land_back_cents": "900000"}, "land_back_cents"),
        (Evidence, {"title": "Union list, dated"}, "title"),
        (EvidenceComment, {"text": "Please send a dated list."}, "text"),
        (Application, {"summary": "Files and chat."}, "summary"),
        (CloudRangeList, {"company": "Amazon Web Services"}, "company"),
    ],
    ids=lambda value: value._meta.model_name if hasattr(value, "_meta") else None,
)
def test_saving_through_the_admin_writes_an_audit_event(sam, records, world, model, changes, field):
    obj = records[model]
    url = _url(model, "change", obj.pk)
    response = sam.post(url, admin_form_data(sam.get(url), **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action=f"admin.{model._meta.model_name}.change")
    assert event.actor == world.sam
    assert event.changed_fields() == [field]


def test_adding_through_the_admin_writes_an_audit_event(sam, records, world):
    url = _url(FinancialYear, "add")
    data = admin_form_data(
        sam.get(url),
        organisation=str(world.cct.pk),
        ends="2026-06-30",
        gross_revenue_cents="5000000",
        labour_payments_cents="4000000",
        fte="1",
        surplus_cents="0",
        investor_returns_cents="0",
        loan_repayments_cents="0",
        land_back_cents="500000",
    )
    response = sam.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    year = FinancialYear.objects.get(organisation=world.cct)
    event = AuditEvent.objects.get(action="admin.financialyear.add")
    assert (event.actor, event.object_id) == (world.sam, str(year.pk))


def test_runs_and_results_are_read_only(sam, records):
    for model in (QualificationRun, CriterionResult):
        obj = records[model]
        page = sam.get(_url(model, "change", obj.pk)).content.decode()
        assert 'name="_save"' not in page


def test_an_applications_decision_is_not_edited_on_its_change_page(sam, records):
    page = sam.get(_url(Application, "change", records[Application].pk)).content.decode()
    assert 'name="state"' not in page
    assert 'name="organisation"' not in page


def test_the_approve_action_creates_the_partner_and_is_audited(sam, records, world):
    application = records[Application]
    response = sam.post(
        _url(Application, "changelist"),
        {"action": "approve", "_selected_action": [str(application.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    assert f"{application}: approved" in response.content.decode()
    application.refresh_from_db()
    organisation = Organisation.objects.get(slug="mch")
    assert application.state == Application.State.APPROVED
    assert application.organisation == organisation
    membership = Membership.objects.get(organisation=organisation)
    assert (membership.user, membership.role) == (world.rita, Membership.Role.PARTNER_ADMIN)
    actions_written = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "qualification.application.approve",
        "qualification.application.create_organisation",
        "qualification.application.add_partner_admin",
    } <= actions_written
    assert AuditEvent.objects.get(action="qualification.application.approve").actor == world.sam


def test_the_approve_action_reports_an_application_already_decided(sam, records, world):
    application = records[Application]
    reject_application(application=application, reviewer=world.sam, note="Not yet.")
    response = sam.post(
        _url(Application, "changelist"),
        {"action": "approve", "_selected_action": [str(application.pk)]},
        follow=True,
    )
    assert "This application was already rejected." in response.content.decode()
    assert not Organisation.objects.filter(slug="mch").exists()
