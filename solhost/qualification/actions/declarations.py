"""What a partner declares about itself, its financial years, and dossier imports that set both."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.core.writes import check_editable
from solhost.identity.models import User
from solhost.partners import actions as partner_actions
from solhost.partners.models import Organisation
from solhost.qualification.actions.evaluation import evaluate_partner
from solhost.qualification.dossier import parse_dossier
from solhost.qualification.dossier_document import (
    declarations_from,
    recommended_lores_ids,
    subject_id,
)
from solhost.qualification.gather import declarations_of
from solhost.qualification.models import Declarations, FinancialYear

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


def _save_declarations(
    organisation: Organisation, actor: User, data: Mapping[str, Any], action: AuditAction
) -> bool:
    # full_clean never sees many-to-many values, so whose services may be named is checked here.
    recommended = data.get("lores_recommended")
    if recommended is not None:
        foreign = [s for s in recommended if s.organisation_id != organisation.pk]
        if foreign:
            raise ValidationError(
                {
                    "lores_recommended": f"Not a service of {organisation}: {', '.join(map(str, foreign))}."
                }
            )
    current = Declarations.objects.select_for_update().filter(organisation=organisation).first()
    declared = current or Declarations(organisation=organisation)
    return audit.save_audited(declared, data, actor=actor, action=action)


def save_declarations(
    *, organisation: Organisation, actor: User, data: Mapping[str, Any]
) -> Declarations:
    """Change what the partner declares about itself; re-evaluates it if anything changed."""
    check_editable(data, DECLARATION_FIELDS)
    with transaction.atomic(durable=True):
        if _save_declarations(organisation, actor, data, AuditAction.DECLARATIONS_SAVE):
            evaluate_partner(
                organisation=organisation,
                at=timezone.localdate(),
                trigger=f"declarations changed by {actor}",
            )
    return declarations_of(organisation)


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
    with transaction.atomic(durable=True):
        if year is not None:
            current = FinancialYear.objects.select_for_update().get(pk=year.pk)
            action, done = AuditAction.FINANCIAL_YEAR_UPDATE, "updated"
        else:
            current = FinancialYear(organisation=organisation)
            action, done = AuditAction.FINANCIAL_YEAR_CREATE, "created"
        if audit.save_audited(current, data, actor=actor, action=action):
            evaluate_partner(
                organisation=organisation,
                at=timezone.localdate(),
                trigger=f"financial year ending {current.ends} {done} by {actor}",
            )
    return current


def import_dossier(*, organisation: Organisation, actor: User, document: object) -> list[str]:
    """Take the declarations and financial years from a dossier document; returns what changed.

    Servers and services have their own pages and stay as they are, but a service listed
    with a recommended LoRes address marks that service as recommended. Evidence,
    participation and energy results are the platform's own records and are ignored.
    Not durable: approving an application imports its dossier inside the approval.

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
        # Compared with what is stored: the caller's copy may predate an earlier import.
        stored_organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if any(getattr(stored_organisation, k) != v for k, v in organisation_data.items()):
            partner_actions.update_organisation(
                organisation=organisation, actor=actor, data=organisation_data
            )
            changed.append("name and legal structure")
        wanted = recommended_lores_ids(parsed)
        declared["lores_recommended"] = [
            s for s in organisation.services.all() if subject_id(s.slug) in wanted
        ]
        if _save_declarations(organisation, actor, declared, AuditAction.DOSSIER_IMPORT):
            changed.append("declarations")
        stored = {
            y.ends: y
            for y in FinancialYear.objects.select_for_update().filter(organisation=organisation)
        }
        for data in years:
            year = stored.pop(data["ends"], None) or FinancialYear(organisation=organisation)
            if audit.save_audited(
                year, data, actor=actor, action=AuditAction.FINANCIAL_YEAR_IMPORT
            ):
                changed.append(f"year ending {data['ends']}")
        for ends, year in sorted(stored.items()):
            audit.record(
                actor=actor,
                action=AuditAction.FINANCIAL_YEAR_DELETE,
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
