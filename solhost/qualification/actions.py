"""The write path for qualification: dossier, evidence and its review, applications, runs, ranges.

Each function is one use case, in one transaction, writing one audit event per changed
record. Changes to what the checks read re-evaluate the partner at once (``evaluate_partner``),
so the public page never lags behind a dossier, an evidence review or a server change.
"""

import datetime
import hashlib
import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from solhost.core import audit
from solhost.core.writes import check_editable
from solhost.identity.models import User
from solhost.partners import actions as partner_actions
from solhost.partners.models import Membership, Organisation
from solhost.partners.permissions import is_steward
from solhost.qualification.cloud_ranges import PROVIDER_COMPANIES, parse_cloud_ranges
from solhost.qualification.dossier import parse_dossier
from solhost.qualification.gather import (
    build_snapshot,
    declarations_from,
    declarations_of,
    parameters_at,
    recommended_lores_ids,
    subject_id,
)
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
from solhost.qualification.rules import CRITERIA_VERSION, evaluate, qualified
from solhost.qualification.uploads import sniff_upload

DECLARATION_FIELDS = (
    "run_by",
    "land_back_withheld_by_platform",
    "statement_of_structure",
    "pay_ratio_plan",
    "pay_ratio_cap",
    "pay_ratio_actual",
    "union_workers",
    "union_members",
    "union_description",
    "commons_stewardship",
    "data_return",
    "user_migration",
    "infrastructure_handover",
    "lores_recommended",
)
FINANCIAL_YEAR_FIELDS = (
    "ends",
    "gross_revenue_cents",
    "labour_payments_cents",
    "fte",
    "surplus_cents",
    "investor_returns_cents",
    "loan_repayments_cents",
    "land_back_cents",
)
EVIDENCE_FIELDS = (
    "criterion",
    "server",
    "service",
    "title",
    "link",
    "public",
    "valid_from",
    "valid_until",
)
APPLICATION_FIELDS = (
    "name",
    "slug",
    "legal_form",
    "registration_number",
    "summary",
    "locality",
    "website",
    "contact_email",
    "dossier",
)
DECISIONS = (Evidence.State.APPROVED, Evidence.State.REJECTED, Evidence.State.MORE_REQUESTED)


def _partner_admin_emails(organisation: Organisation) -> list[str]:
    return sorted(
        {
            m.user.email
            for m in organisation.memberships.select_related("user").filter(
                role=Membership.Role.PARTNER_ADMIN
            )
            if m.user.email
        }
    )


def _mail_after_commit(*, subject: str, template: str, context: dict, to: list[str]) -> None:
    if not to:
        return
    body = render_to_string(template, context)
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)
    )


# --- the dossier -----------------------------------------------------------------------


def _save_declarations(
    organisation: Organisation, actor: User, data: Mapping[str, Any], action: str
) -> bool:
    current = Declarations.objects.select_for_update().filter(organisation=organisation).first()
    declared = current or Declarations(organisation=organisation)
    before = audit.snapshot(declared) if current else None
    recommended = data.get("lores_recommended")
    for name, value in data.items():
        if name != "lores_recommended":
            setattr(declared, name, value)
    declared.full_clean()
    after = audit.snapshot(declared)
    if recommended is not None:
        foreign = [s for s in recommended if s.organisation_id != organisation.pk]
        if foreign:
            raise ValidationError(
                {
                    "lores_recommended": f"Not a service of {organisation}: {', '.join(map(str, foreign))}."
                }
            )
        after["lores_recommended"] = sorted(s.pk for s in recommended)
    if before == after:
        return False
    declared.save()
    if recommended is not None:
        declared.lores_recommended.set(recommended)
    audit.record(
        actor=actor, action=action, obj=declared, before=before, after=audit.snapshot(declared)
    )
    return True


def save_declarations(
    *, organisation: Organisation, actor: User, data: Mapping[str, Any]
) -> Declarations:
    """Change what the partner declares about itself; re-evaluates it if anything changed."""
    check_editable(data, DECLARATION_FIELDS)
    with transaction.atomic():
        changed = _save_declarations(organisation, actor, data, "qualification.declarations.save")
        if changed:
            evaluate_partner(
                organisation=organisation,
                at=timezone.localdate(),
                trigger=f"declarations changed by {actor}",
            )
    return declarations_of(organisation)


def _save_year(year: FinancialYear, actor: User, data: Mapping[str, Any], action: str) -> bool:
    before = audit.snapshot(year) if year.pk else None
    for name, value in data.items():
        setattr(year, name, value)
    year.full_clean()
    if before == audit.snapshot(year):
        return False
    year.save()
    audit.record(actor=actor, action=action, obj=year, before=before, after=audit.snapshot(year))
    return True


def save_financial_year(
    *,
    organisation: Organisation,
    actor: User,
    data: Mapping[str, Any],
    year: FinancialYear | None = None,
) -> FinancialYear:
    """Add a financial year, or correct one (``year``); re-evaluates the partner."""
    check_editable(data, FINANCIAL_YEAR_FIELDS)
    if year is not None and year.organisation_id != organisation.pk:
        raise PermissionDenied("That financial year belongs to another organisation.")
    with transaction.atomic():
        if year is not None:
            current = FinancialYear.objects.select_for_update().get(pk=year.pk)
            verb = "update"
        else:
            current = FinancialYear(organisation=organisation)
            verb = "create"
        if _save_year(current, actor, data, f"qualification.financial_year.{verb}"):
            evaluate_partner(
                organisation=organisation,
                at=timezone.localdate(),
                trigger=f"financial year ending {current.ends} {verb}d by {actor}",
            )
    return current


def import_dossier(*, organisation: Organisation, actor: User, document: object) -> list[str]:
    """Take the declarations and financial years from a dossier document; returns what changed.

    Servers and services have their own pages and stay as they are, but a service listed
    with a recommended LoRes address marks that service as recommended. Evidence,
    participation and energy results are the platform's own records and are ignored.

    Raises:
        DossierError listing every problem by JSON path; nothing is saved then.
    """
    parsed = parse_dossier(document)
    declared, years = declarations_from(parsed)
    changed: list[str] = []
    with transaction.atomic():
        structure = parsed.partner.legal_structure
        organisation_data = {
            "name": parsed.partner.name,
            "legal_form": structure.form,
            "registration_number": structure.registration_number or "",
        }
        if any(getattr(organisation, k) != v for k, v in organisation_data.items()):
            partner_actions.update_organisation(
                organisation=organisation, actor=actor, data=organisation_data
            )
            changed.append("name and legal structure")
        wanted = recommended_lores_ids(parsed)
        declared["lores_recommended"] = [
            s for s in organisation.services.all() if subject_id(s.slug) in wanted
        ]
        if _save_declarations(organisation, actor, declared, "qualification.dossier.import"):
            changed.append("declarations")
        stored = {
            y.ends: y
            for y in FinancialYear.objects.select_for_update().filter(organisation=organisation)
        }
        for data in years:
            year = stored.pop(data["ends"], None) or FinancialYear(organisation=organisation)
            if _save_year(year, actor, data, "qualification.financial_year.import"):
                changed.append(f"year ending {data['ends']}")
        for ends, year in sorted(stored.items()):
            audit.record(
                actor=actor,
                action="qualification.financial_year.delete",
                obj=year,
                before=audit.snapshot(year),
                note="not in the imported dossier",
            )
            year.delete()
            changed.append(f"year ending {ends} removed")
        if changed:
            evaluate_partner(
                organisation=organisation,
                at=timezone.localdate(),
                trigger=f"dossier imported by {actor}",
            )
    return changed


# --- evidence --------------------------------------------------------------------------


def submit_evidence(
    *,
    organisation: Organisation,
    actor: User,
    data: Mapping[str, Any],
    upload: tuple[bytes, str, str] | None = None,
) -> Evidence:
    """Add a document (``upload`` = content, file name, claimed type) or a link for the steward.

    Raises:
        UploadError when the file is refused (size, type judged from content, broken file);
        ValidationError when the fields do not fit together. Nothing is saved then.
    """
    check_editable(data, EVIDENCE_FIELDS)
    evidence = Evidence(organisation=organisation, submitted_by=actor, **data)
    for subject in (evidence.server, evidence.service):
        if subject is not None and subject.organisation_id != organisation.pk:
            raise ValidationError(f"{subject} is not one of {organisation}'s records.")
    if upload is None and not evidence.link:
        raise ValidationError("Upload a file or give a link.")
    if upload is not None:
        content, name, claimed = upload
        sniffed = sniff_upload(
            content,
            name=name,
            claimed_type=claimed,
            max_bytes=settings.SOLHOST_EVIDENCE_MAX_BYTES,
        )
        evidence.content_type = sniffed.content_type
        evidence.size_bytes = sniffed.size_bytes
        evidence.original_name = name[:200]
    evidence.full_clean(exclude=["file", "submitted_by"])
    stored_name = ""
    try:
        with transaction.atomic():
            if upload is not None:
                evidence.file.save("upload", ContentFile(upload[0]), save=False)
                stored_name = evidence.file.name
            evidence.save()
            audit.record(
                actor=actor,
                action="qualification.evidence.submit",
                obj=evidence,
                after=audit.snapshot(evidence),
            )
            evaluate_partner(
                organisation=organisation,
                at=timezone.localdate(),
                trigger=f"evidence for {evidence.criterion} submitted by {actor}",
            )
    except Exception:
        # The row is gone with the transaction; the file must not stay behind either.
        if stored_name:
            default_storage.delete(stored_name)
        raise
    return evidence


def review_evidence(
    *, evidence: Evidence, reviewer: User, decision: str, comment: str = ""
) -> Evidence:
    """The steward approves, rejects or asks for more, with a comment; re-evaluates the partner."""
    if not is_steward(reviewer):
        raise PermissionDenied("Only the steward reviews evidence.")
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, got {decision!r}")
    if decision != Evidence.State.APPROVED and not comment.strip():
        raise ValidationError({"comment": "Say what is wrong or what more is needed."})
    with transaction.atomic():
        current = Evidence.objects.select_for_update().get(pk=evidence.pk)
        before = audit.snapshot(current)
        current.state = decision
        current.reviewed_by = reviewer
        current.reviewed_at = timezone.now()
        current.save()
        EvidenceComment.objects.create(
            evidence=current, author=reviewer, decision=decision, text=comment.strip()
        )
        audit.record(
            actor=reviewer,
            action=f"qualification.evidence.{decision}",
            obj=current,
            before=before,
            after=audit.snapshot(current),
            note=comment.strip(),
        )
        evaluate_partner(
            organisation=current.organisation,
            at=timezone.localdate(),
            trigger=f"evidence for {current.criterion} {current.get_state_display().lower()} by {reviewer}",
        )
    return current


def send_expiry_notices(*, today: datetime.date) -> int:
    """Email partner admins about approved evidence that expires within the notice window.

    Each piece of evidence is announced once per valid-until day, so re-running sends nothing new.
    """
    horizon = today + datetime.timedelta(days=settings.SOLHOST_EVIDENCE_EXPIRY_NOTICE_DAYS)
    due = (
        Evidence.objects.filter(
            state=Evidence.State.APPROVED,
            valid_until__gte=today,
            valid_until__lte=horizon,
        )
        .exclude(expiry_notice_sent_for=F("valid_until"))
        .select_related("organisation", "server", "service")
    )
    sent = 0
    for evidence in due:
        with transaction.atomic():
            current = Evidence.objects.select_for_update().get(pk=evidence.pk)
            if current.expiry_notice_sent_for == current.valid_until:
                continue
            before = audit.snapshot(current)
            current.expiry_notice_sent_for = current.valid_until
            current.save(update_fields=["expiry_notice_sent_for"])
            audit.record(
                actor=None,
                action="qualification.evidence.expiry_notice",
                obj=current,
                before=before,
                after=audit.snapshot(current),
            )
            _mail_after_commit(
                subject=f"Evidence for {current.criterion} expires on {current.valid_until:%-d %B %Y}",
                template="qualification/email/evidence_expiring.txt",
                context={
                    "evidence": evidence,
                    "organisation": evidence.organisation,
                    "base_url": settings.BASE_URL,
                },
                to=_partner_admin_emails(evidence.organisation),
            )
            sent += 1
    return sent


# --- applications ----------------------------------------------------------------------


def submit_application(*, applicant: User, data: Mapping[str, Any]) -> Application:
    """A co-op asks to join; nothing in the live directory changes until the steward approves."""
    check_editable(data, APPLICATION_FIELDS)
    if data.get("dossier") is not None:
        parse_dossier(data["dossier"])
    application = Application(applicant=applicant, **data)
    application.full_clean()
    with transaction.atomic():
        _refuse_taken_names(application)
        application.save()
        audit.record(
            actor=applicant,
            action="qualification.application.submit",
            obj=application,
            after=audit.snapshot(application),
        )
    return application


def _refuse_taken_names(application: Application) -> None:
    # Approval updates an organisation with the same slug, so an application must not be
    # able to name a partner it does not run, nor race another application for the name.
    problems: dict[str, str] = {}
    if Organisation.objects.filter(slug=application.slug).exists():
        problems["slug"] = f"The short name “{application.slug}” belongs to a partner already."
    elif Application.objects.filter(
        slug=application.slug, state=Application.State.SUBMITTED
    ).exists():
        problems["slug"] = (
            f"An application with the short name “{application.slug}” is already waiting for review."
        )
    if Organisation.objects.filter(name__iexact=application.name).exists():
        problems["name"] = f"An organisation called “{application.name}” is already in the region."
    if problems:
        raise ValidationError(problems)


def _make_partner_admin(*, user: User, organisation: Organisation, actor: User) -> None:
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if membership is None:
        membership = Membership.objects.create(
            user=user, organisation=organisation, role=Membership.Role.PARTNER_ADMIN
        )
        audit.record(
            actor=actor,
            action="qualification.application.add_partner_admin",
            obj=membership,
            after=audit.snapshot(membership),
        )
    elif membership.role != Membership.Role.PARTNER_ADMIN:
        before = audit.snapshot(membership)
        membership.role = Membership.Role.PARTNER_ADMIN
        membership.save()
        audit.record(
            actor=actor,
            action="qualification.application.add_partner_admin",
            obj=membership,
            before=before,
            after=audit.snapshot(membership),
        )


def approve_application(
    *, application: Application, reviewer: User, note: str = ""
) -> Organisation:
    """Create (or update) the live organisation from the application; the applicant becomes its admin."""
    if not is_steward(reviewer):
        raise PermissionDenied("Only the steward approves applications.")
    with transaction.atomic():
        current = _lock_undecided(application)
        details = {
            "name": current.name,
            "legal_form": current.legal_form,
            "registration_number": current.registration_number,
            "summary": current.summary,
            "locality": current.locality,
            "website": current.website,
            "contact_email": current.contact_email,
        }
        organisation = current.organisation
        if organisation is None and Organisation.objects.filter(slug=current.slug).exists():
            # Approving would hand someone else's partner to the applicant.
            raise ValidationError(
                f"The short name “{current.slug}” was taken by a partner after this application"
                " was sent; ask the applicant to apply again with another."
            )
        if organisation is None:
            organisation = Organisation(
                slug=current.slug, kind=Organisation.Kind.PARTNER, **details
            )
            organisation.full_clean()
            organisation.save()
            audit.record(
                actor=reviewer,
                action="qualification.application.create_organisation",
                obj=organisation,
                after=audit.snapshot(organisation),
            )
        else:
            partner_actions.update_organisation(
                organisation=organisation, actor=reviewer, data=details
            )
        _make_partner_admin(user=current.applicant, organisation=organisation, actor=reviewer)
        _decide(
            current,
            state=Application.State.APPROVED,
            reviewer=reviewer,
            note=note,
            organisation=organisation,
        )
        if current.dossier is not None:
            import_dossier(organisation=organisation, actor=reviewer, document=current.dossier)
        else:
            evaluate_partner(
                organisation=organisation,
                at=timezone.localdate(),
                trigger=f"application approved by {reviewer}",
            )
    return organisation


def reject_application(*, application: Application, reviewer: User, note: str) -> Application:
    if not is_steward(reviewer):
        raise PermissionDenied("Only the steward reviews applications.")
    if not note.strip():
        raise ValidationError({"review_note": "Say why the application is declined."})
    with transaction.atomic():
        current = _lock_undecided(application)
        _decide(current, state=Application.State.REJECTED, reviewer=reviewer, note=note)
    return current


def _lock_undecided(application: Application) -> Application:
    """The application, locked, if the steward has not decided it yet; else ValidationError."""
    current = Application.objects.select_for_update().get(pk=application.pk)
    if current.state != Application.State.SUBMITTED:
        raise ValidationError(
            f"This application was already {current.get_state_display().lower()}."
        )
    return current


def _decide(
    application: Application,
    *,
    state: str,
    reviewer: User,
    note: str,
    organisation: Organisation | None = None,
) -> None:
    """Record the steward's decision on a locked application, audit it and tell the applicant.

    ``organisation`` is the partner an approval created or updated.
    """
    before = audit.snapshot(application)
    if organisation is not None:
        application.organisation = organisation
    application.state = state
    application.reviewed_by = reviewer
    application.reviewed_at = timezone.now()
    application.review_note = note
    application.save()
    verb = "approve" if state == Application.State.APPROVED else "reject"
    audit.record(
        actor=reviewer,
        action=f"qualification.application.{verb}",
        obj=application,
        before=before,
        after=audit.snapshot(application),
        note=note,
    )
    to = {application.contact_email, application.applicant.email} - {""}
    _mail_after_commit(
        subject=(
            f"{application.name} is now a partner of the region"
            if state == Application.State.APPROVED
            else f"About {application.name}'s application"
        ),
        template="qualification/email/application_decided.txt",
        context={"application": application, "base_url": settings.BASE_URL},
        to=sorted(to),
    )


# --- runs ------------------------------------------------------------------------------


def evaluate_partner(
    *, organisation: Organisation, at: datetime.date, trigger: str
) -> QualificationRun:
    """Judge the partner against every criterion on day ``at`` and keep the result.

    The run records the criteria version, the parameter values in force, every outcome and
    which outcomes changed since the previous run; partner admins are emailed when the
    verdict (qualified or not) changes.
    """
    params = parameters_at(at)
    outcomes = evaluate(build_snapshot(organisation, at=at), params, at)
    verdict = qualified(outcomes)
    with transaction.atomic():
        previous = (
            QualificationRun.objects.select_for_update()
            .filter(organisation=organisation)
            .order_by("-evaluated_at", "-id")
            .first()
        )
        before = {}
        if previous is not None:
            before = {(r.criterion, r.subject): r.status for r in previous.results.all()}
        changes = [
            {
                "criterion": o.criterion,
                "subject": o.subject,
                "from": before.get((o.criterion, o.subject)),
                "to": o.status,
            }
            for o in outcomes
            if before.get((o.criterion, o.subject)) != o.status
        ]
        run = QualificationRun.objects.create(
            organisation=organisation,
            at=at,
            trigger=trigger[:200],
            criteria_version=CRITERIA_VERSION,
            parameters=params,
            qualified=verdict,
            previous_qualified=None if previous is None else previous.qualified,
            changes=changes,
        )
        CriterionResult.objects.bulk_create(
            CriterionResult(
                run=run,
                position=i,
                criterion=o.criterion,
                subject=o.subject,
                status=o.status,
                reason=o.reason,
            )
            for i, o in enumerate(outcomes)
        )
        audit.record(
            actor=None,
            action="qualification.run",
            obj=run,
            after={"qualified": verdict, "changes": len(changes)},
            note=trigger[:200],
        )
        if run.status_changed:
            _mail_after_commit(
                subject=f"{organisation.name} is {'now qualified' if verdict else 'no longer qualified'}",
                template="qualification/email/status_changed.txt",
                context={
                    "organisation": organisation,
                    "run": run,
                    "failing": [
                        o for o in outcomes if o.status not in ("met", "grace", "not_applicable")
                    ],
                    "base_url": settings.BASE_URL,
                },
                to=_partner_admin_emails(organisation),
            )
    return run


def evaluate_all(
    *, at: datetime.date, trigger: str, slugs: Iterable[str] = ()
) -> list[QualificationRun]:
    partners = Organisation.objects.filter(kind=Organisation.Kind.PARTNER).order_by("slug")
    if slugs:
        partners = partners.filter(slug__in=list(slugs))
    return [evaluate_partner(organisation=p, at=at, trigger=trigger) for p in partners]


# --- cloud ranges ----------------------------------------------------------------------


def import_cloud_ranges(
    *, provider: str, content: bytes, document: object, source_name: str, actor: User | None = None
) -> CloudRangeList:
    """Replace one provider's stored ranges with a freshly published file, all or nothing.

    Raises:
        CloudRangesError with every problem by JSON path; the stored set is unchanged then.
    """
    ranges = parse_cloud_ranges(provider, document)
    networks = sorted(
        {str(r.network) for r in ranges},
        key=lambda n: (ipaddress.ip_network(n).version, ipaddress.ip_network(n)),
    )
    with transaction.atomic():
        current = CloudRangeList.objects.select_for_update().filter(provider=provider).first()
        before = (
            None
            if current is None
            else {
                "count": current.count,
                "sha256": current.sha256,
                "source_name": current.source_name,
            }
        )
        stored = current or CloudRangeList(provider=provider)
        stored.company = PROVIDER_COMPANIES[provider]
        stored.networks = "\n".join(networks)
        stored.count = len(networks)
        stored.sha256 = hashlib.sha256(content).hexdigest()
        stored.source_name = source_name[:200]
        stored.imported_at = timezone.now()
        stored.save()
        audit.record(
            actor=actor,
            action="qualification.cloud_ranges.import",
            obj=stored,
            before=before,
            after={
                "count": stored.count,
                "sha256": stored.sha256,
                "source_name": stored.source_name,
            },
        )
    return stored
