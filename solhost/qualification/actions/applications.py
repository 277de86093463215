"""A co-op's application to join the region as a partner, and the steward's decision on it."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.core.writes import check_editable
from solhost.identity.models import User
from solhost.partners import actions as partner_actions
from solhost.partners.models import Membership, Organisation
from solhost.partners.permissions import is_steward
from solhost.qualification.actions.declarations import import_dossier
from solhost.qualification.actions.evaluation import evaluate_partner
from solhost.qualification.actions.mail import mail_after_commit
from solhost.qualification.dossier import parse_dossier
from solhost.qualification.models import Application

# What an applicant says about the organisation; the form takes the dossier as a file.
APPLICATION_DETAILS = (
    "name",
    "slug",
    "legal_form",
    "registration_number",
    "summary",
    "locality",
    "website",
    "contact_email",
)
APPLICATION_FIELDS = (*APPLICATION_DETAILS, "dossier")


def submit_application(*, applicant: User, data: Mapping[str, Any]) -> Application:
    """A co-op asks to join; nothing in the live directory changes until the steward approves."""
    check_editable(data, APPLICATION_FIELDS)
    if data.get("dossier") is not None:
        parse_dossier(data["dossier"])
    application = Application(applicant=applicant, **data)
    application.full_clean()
    with transaction.atomic(durable=True):
        _refuse_taken_names(application)
        application.save()
        audit.record_saved(application, actor=applicant, action=AuditAction.APPLICATION_SUBMIT)
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
    audit.save_audited(
        membership or Membership(user=user, organisation=organisation),
        {"role": Membership.Role.PARTNER_ADMIN},
        actor=actor,
        action=AuditAction.APPLICATION_ADD_PARTNER_ADMIN,
    )


def approve_application(
    *, application: Application, reviewer: User, note: str = ""
) -> Organisation:
    """Create (or update) the live organisation from the application; the applicant becomes its admin."""
    if not is_steward(reviewer):
        raise PermissionDenied("Only the steward approves applications.")
    with transaction.atomic(durable=True):
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
            organisation = Organisation(slug=current.slug, kind=Organisation.Kind.PARTNER)
            audit.save_audited(
                organisation,
                details,
                actor=reviewer,
                action=AuditAction.APPLICATION_CREATE_ORGANISATION,
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
    """The steward declines an application, saying why; the applicant is told."""
    if not is_steward(reviewer):
        raise PermissionDenied("Only the steward reviews applications.")
    if not note.strip():
        raise ValidationError({"review_note": "Say why the application is declined."})
    with transaction.atomic(durable=True):
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
    approved = state == Application.State.APPROVED
    audit.record_saved(
        application,
        actor=reviewer,
        action=AuditAction.APPLICATION_APPROVE if approved else AuditAction.APPLICATION_REJECT,
        before=before,
        note=note,
    )
    to = {application.contact_email, application.applicant.email} - {""}
    mail_after_commit(
        subject=(
            f"{application.name} is now a partner of the region"
            if approved
            else f"About {application.name}'s application"
        ),
        template="qualification/email/application_decided.txt",
        context={"application": application, "base_url": settings.BASE_URL},
        to=sorted(to),
    )
