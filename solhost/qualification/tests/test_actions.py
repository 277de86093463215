import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from solhost.core.audit import AuditAction
from solhost.core.models import AuditEvent
from solhost.partners.models import Service
from solhost.qualification.actions.applications import (
    approve_application,
    reject_application,
    submit_application,
)
from solhost.qualification.actions.cloud_ranges import import_cloud_ranges
from solhost.qualification.actions.declarations import (
    import_dossier,
    save_declarations,
    save_financial_year,
)
from solhost.qualification.actions.evaluation import evaluate_partner
from solhost.qualification.actions.evidence import (
    review_evidence,
    send_expiry_notices,
    submit_evidence,
)
from solhost.qualification.models import Declarations, Evidence, FinancialYear, QualificationRun
from solhost.qualification.tests.helpers import PDF, TODAY, complete_declarations, png
from solhost.qualification.uploads import UploadError

YEAR = {
    "ends": datetime.date(2026, 6, 30),
    "gross_revenue_cents": 10_000_000,
    "labour_payments_cents": 9_000_000,
    "fte": Decimal("2"),
    "surplus_cents": 0,
    "investor_returns_cents": 0,
    "loan_repayments_cents": 0,
    "land_back_cents": 1_000_000,
}


def statuses(run):
    return {(r.criterion, r.subject): r.status for r in run.results.all()}


def submit(
    world, *, criterion="B1.4", content=PDF, name="union.pdf", claimed="application/pdf", **extra
):
    data = {
        "criterion": criterion,
        "server": None,
        "service": None,
        "title": "Union list",
        "link": "",
        "public": False,
        "valid_from": None,
        "valid_until": None,
        **extra,
    }
    return submit_evidence(
        organisation=world.mcc, actor=world.alice, data=data, upload=(content, name, claimed)
    )


def test_saving_a_financial_year_re_evaluates_and_records_why(world):
    save_financial_year(organisation=world.mcc, actor=world.alice, data=YEAR)
    run = QualificationRun.objects.get(organisation=world.mcc)
    assert statuses(run)[("B1.1", "partner")] == "met"
    assert statuses(run)[("B7", "partner")] == "met"
    assert run.trigger == "financial year ending 2026-06-30 created by alice"
    assert run.parameters["land_back_min_bp"] == 1000
    assert AuditEvent.objects.filter(action="qualification.financial_year.create").count() == 1


def test_land_back_below_the_minimum_is_not_met_and_the_change_is_kept(world):
    year = save_financial_year(organisation=world.mcc, actor=world.alice, data=YEAR)
    save_financial_year(
        organisation=world.mcc,
        actor=world.alice,
        data={**YEAR, "land_back_cents": 999_000},
        year=year,
    )
    latest = QualificationRun.objects.filter(organisation=world.mcc).first()
    assert statuses(latest)[("B7", "partner")] == "not_met"
    assert {
        "criterion": "B7",
        "subject": "partner",
        "from": "met",
        "to": "not_met",
    } in latest.changes


def test_a_year_of_another_partner_cannot_be_changed(world):
    year = FinancialYear.objects.create(organisation=world.cct, **YEAR)
    with pytest.raises(PermissionDenied):
        save_financial_year(organisation=world.mcc, actor=world.alice, data=YEAR, year=year)


def test_evidence_counts_only_once_the_steward_approves_it(world):
    complete_declarations(world.mcc)
    evidence = submit(world)
    assert evidence.content_type == "application/pdf"
    run = QualificationRun.objects.filter(organisation=world.mcc).first()
    assert statuses(run)[("B1.4", "partner")] == "needs_evidence"
    assert "awaiting the steward's review" in run.results.get(criterion="B1.4").reason
    review_evidence(evidence=evidence, reviewer=world.sam, decision="approved")
    run = QualificationRun.objects.filter(organisation=world.mcc).first()
    assert statuses(run)[("B1.4", "partner")] == "met"
    assert AuditEvent.objects.filter(action="qualification.evidence.approved").count() == 1


def test_expired_evidence_needs_evidence_again(world):
    complete_declarations(world.mcc)
    evidence = submit(
        world, valid_from=datetime.date(2025, 1, 1), valid_until=datetime.date(2025, 12, 31)
    )
    review_evidence(evidence=evidence, reviewer=world.sam, decision="approved")
    run = evaluate_partner(organisation=world.mcc, at=datetime.date(2026, 1, 1), trigger="test")
    assert run.results.get(criterion="B1.4").reason.endswith("expired on 2025-12-31")


def test_only_the_steward_reviews_and_refusals_need_a_comment(world):
    evidence = submit(world)
    with pytest.raises(PermissionDenied):
        review_evidence(evidence=evidence, reviewer=world.alice, decision="approved")
    with pytest.raises(ValidationError):
        review_evidence(evidence=evidence, reviewer=world.sam, decision="rejected")
    review_evidence(
        evidence=evidence,
        reviewer=world.sam,
        decision="more_requested",
        comment="Signed copy, please.",
    )
    evidence.refresh_from_db()
    assert evidence.state == "more_requested"
    assert evidence.comments.get().text == "Signed copy, please."


def test_a_forged_upload_saves_nothing(world, settings):
    with pytest.raises(UploadError):
        submit(world, content=png(), name="union.pdf", claimed="application/pdf")
    assert not Evidence.objects.exists()
    assert not (settings.MEDIA_ROOT / "evidence").exists() or not any(
        (settings.MEDIA_ROOT / "evidence").iterdir()
    )


def test_uploads_are_stored_under_media_root_with_a_random_name(world, settings):
    evidence = submit(world)
    assert evidence.file.path.startswith(str(settings.MEDIA_ROOT))
    assert "union" not in evidence.file.name


def test_evidence_about_another_partners_server_is_refused(world):
    with pytest.raises(ValidationError):
        submit(world, server=world.cct_server)
    assert not Evidence.objects.exists()


def test_status_change_emails_the_partner_admins(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        evaluate_partner(organisation=world.mcc, at=TODAY, trigger="first")
    assert mail.outbox == []  # the first run has nothing to compare with
    QualificationRun.objects.filter(organisation=world.mcc).update(qualified=True)
    with django_capture_on_commit_callbacks(execute=True):
        run = evaluate_partner(organisation=world.mcc, at=TODAY, trigger="nightly evaluation")
    assert run.status_changed
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert "no longer qualified" in mail.outbox[0].subject
    assert "nightly evaluation" in mail.outbox[0].body


def test_expiry_notices_are_sent_once(world, django_capture_on_commit_callbacks):
    evidence = submit(world, valid_until=TODAY + datetime.timedelta(days=10))
    review_evidence(evidence=evidence, reviewer=world.sam, decision="approved")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_expiry_notices(today=TODAY) == 1
        assert send_expiry_notices(today=TODAY) == 0
    assert len(mail.outbox) == 1
    assert "expires on" in mail.outbox[0].subject


def test_approving_an_application_creates_the_partner_with_its_dossier(world):
    import json
    from pathlib import Path

    document = json.loads(Path("docs/examples/dossier-qualifies.json").read_text())
    application = submit_application(
        applicant=world.rita,
        data={
            "name": "Merri Creek Hosting Co-operative",
            "slug": "mch",
            "legal_form": "cooperative",
            "registration_number": "C0012345",
            "summary": "Hosting.",
            "contact_email": "hi@mch.example.org",
            "dossier": document,
        },
    )
    from solhost.partners.models import Organisation

    assert not Organisation.objects.filter(slug="mch").exists()
    organisation = approve_application(application=application, reviewer=world.sam)
    assert organisation.memberships.get().user == world.rita
    assert organisation.financial_years.count() == 2
    assert organisation.declarations.union_members == 4
    assert QualificationRun.objects.filter(organisation=organisation).exists()


@pytest.mark.parametrize(("asn", "status"), [(8075, "not_met"), (4764, "met")])
def test_a_servers_declared_network_is_checked_against_the_big_clouds(world, asn, status):
    from solhost.partners.models import Server

    backup = Server.objects.create(
        organisation=world.mcc,
        slug="mcc-dns",
        name="DNS secondary",
        role="dns",
        latitude=-33.87,
        longitude=151.21,
        hosting_company="Harbour Hosting",
        asn=asn,
        operation_started=datetime.date(2025, 9, 1),
    )
    run = evaluate_partner(organisation=world.mcc, at=TODAY, trigger="test")
    result = run.results.get(criterion="S1", subject=f"server:{backup.slug}")
    assert result.status == status
    if status == "not_met":
        assert "AS8075 belongs to Microsoft" in result.reason


def test_each_review_decision_is_recorded_under_its_own_name(world):
    for decision, comment in (("approved", ""), ("rejected", "Unsigned."), ("more_requested", "?")):
        review_evidence(
            evidence=submit(world), reviewer=world.sam, decision=decision, comment=comment
        )
    recorded = AuditEvent.objects.filter(action__startswith="qualification.evidence.")
    assert sorted(
        recorded.exclude(action=AuditAction.EVIDENCE_SUBMIT).values_list("action", flat=True)
    ) == [
        "qualification.evidence.approved",
        "qualification.evidence.more_requested",
        "qualification.evidence.rejected",
    ]
    with pytest.raises(ValueError, match="approved, rejected, more_requested"):
        review_evidence(evidence=submit(world), reviewer=world.sam, decision="submitted")


def test_only_the_partners_own_services_can_be_recommended(world):
    with pytest.raises(ValidationError) as caught:
        save_declarations(
            organisation=world.mcc,
            actor=world.alice,
            data={"lores_recommended": [world.mcc_service, world.cct_service]},
        )
    assert caught.value.message_dict == {
        "lores_recommended": [f"Not a service of {world.mcc}: {world.cct_service}."]
    }
    assert not Declarations.objects.filter(organisation=world.mcc).exists()
    declared = save_declarations(
        organisation=world.mcc, actor=world.alice, data={"lores_recommended": [world.mcc_service]}
    )
    assert list(declared.lores_recommended.all()) == [world.mcc_service]
    event = AuditEvent.objects.get(action=AuditAction.DECLARATIONS_SAVE)
    assert event.before is None
    assert event.after["lores_recommended"] == [world.mcc_service.pk]


def test_a_dossier_import_records_each_change_under_its_name(world):
    document = json.loads(Path("docs/examples/dossier-qualifies.json").read_text())
    sites = Service.objects.create(
        organisation=world.mcc, slug="sites", name="Sites", kind=world.files, lores_url="http://s"
    )
    changed = import_dossier(organisation=world.mcc, actor=world.alice, document=document)
    assert changed == [
        "name and legal structure",
        "declarations",
        "year ending 2025-06-30",
        "year ending 2026-06-30",
    ]
    assert list(world.mcc.declarations.lores_recommended.all()) == [sites]
    actions = list(
        AuditEvent.objects.filter(action__startswith="qualification.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.DOSSIER_IMPORT,
        AuditAction.FINANCIAL_YEAR_IMPORT,
        AuditAction.FINANCIAL_YEAR_IMPORT,
        AuditAction.QUALIFICATION_RUN,
    ]
    # The same file again changes nothing, though its numbers are written at another scale.
    events = AuditEvent.objects.count()
    assert import_dossier(organisation=world.mcc, actor=world.alice, document=document) == []
    assert AuditEvent.objects.count() == events

    document["financial_years"] = document["financial_years"][1:]
    changed = import_dossier(organisation=world.mcc, actor=world.alice, document=document)
    assert changed[-1] == "year ending 2025-06-30 removed"
    removed = AuditEvent.objects.get(action=AuditAction.FINANCIAL_YEAR_DELETE)
    assert (removed.before["ends"], removed.note) == ("2025-06-30", "not in the imported dossier")
    assert list(world.mcc.financial_years.values_list("ends", flat=True)) == [
        datetime.date(2026, 6, 30)
    ]


def test_top_level_actions_refuse_to_run_inside_another_transaction(world):
    # Each commits its own work and re-evaluation; nested, a caller's rollback would undo it.
    application_data = {
        "name": "New Co-op",
        "slug": "new",
        "legal_form": "cooperative",
        "summary": "Hosting.",
        "contact_email": "hi@new.example.org",
    }
    evidence = submit(world)
    expiring = submit(world, valid_until=TODAY + datetime.timedelta(days=10))
    review_evidence(evidence=expiring, reviewer=world.sam, decision="approved")
    application = submit_application(applicant=world.rita, data=application_data)
    writes = [
        lambda: save_declarations(organisation=world.mcc, actor=world.alice, data={}),
        lambda: save_financial_year(organisation=world.mcc, actor=world.alice, data=YEAR),
        lambda: submit(world),
        lambda: review_evidence(evidence=evidence, reviewer=world.sam, decision="approved"),
        lambda: send_expiry_notices(today=TODAY),
        lambda: submit_application(applicant=world.rita, data={**application_data, "slug": "n2"}),
        lambda: approve_application(application=application, reviewer=world.sam),
        lambda: reject_application(application=application, reviewer=world.sam, note="No."),
        lambda: import_cloud_ranges(
            provider="aws",
            content=b"{}",
            document={"prefixes": [], "ipv6_prefixes": []},
            source_name="x",
        ),
    ]
    for write in writes:
        with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
            write()


def test_actions_that_other_actions_call_run_inside_their_transaction(world):
    document = json.loads(Path("docs/examples/dossier-qualifies.json").read_text())
    with transaction.atomic():
        evaluate_partner(organisation=world.mcc, at=TODAY, trigger="nested")
        import_dossier(organisation=world.mcc, actor=world.alice, document=document)
    assert world.mcc.financial_years.count() == 2
