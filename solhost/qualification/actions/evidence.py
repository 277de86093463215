"""Evidence a partner submits for a criterion, the steward's review of it, and expiry notices."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.core.writes import check_editable
from solhost.identity.models import User
from solhost.partners.models import Organisation
from solhost.partners.permissions import is_steward
from solhost.qualification.actions.evaluation import evaluate_partner
from solhost.qualification.actions.mail import mail_after_commit
from solhost.qualification.models import Evidence, EvidenceComment
from solhost.qualification.queries import partner_admin_emails
from solhost.qualification.uploads import sniff_upload

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
# The steward's possible decisions, each recorded under its own name.
DECISION_ACTIONS = {
    Evidence.State.APPROVED: AuditAction.EVIDENCE_APPROVED,
    Evidence.State.REJECTED: AuditAction.EVIDENCE_REJECTED,
    Evidence.State.MORE_REQUESTED: AuditAction.EVIDENCE_MORE_REQUESTED,
}


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
        with transaction.atomic(durable=True):
            if upload is not None:
                evidence.file.save("upload", ContentFile(upload[0]), save=False)
                stored_name = evidence.file.name
            evidence.save()
            audit.record_saved(evidence, actor=actor, action=AuditAction.EVIDENCE_SUBMIT)
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
    if decision not in DECISION_ACTIONS:
        raise ValueError(f"decision must be one of {', '.join(DECISION_ACTIONS)}, got {decision!r}")
    if decision != Evidence.State.APPROVED and not comment.strip():
        raise ValidationError({"comment": "Say what is wrong or what more is needed."})
    with transaction.atomic(durable=True):
        current = Evidence.objects.select_for_update().get(pk=evidence.pk)
        before = audit.snapshot(current)
        current.state = decision
        current.reviewed_by = reviewer
        current.reviewed_at = timezone.now()
        current.save()
        EvidenceComment.objects.create(
            evidence=current, author=reviewer, decision=decision, text=comment.strip()
        )
        audit.record_saved(
            current,
            actor=reviewer,
            action=DECISION_ACTIONS[Evidence.State(decision)],
            before=before,
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
        # One transaction per notice: one that fails leaves the others sent and marked.
        with transaction.atomic(durable=True):
            current = Evidence.objects.select_for_update().get(pk=evidence.pk)
            if current.expiry_notice_sent_for == current.valid_until:
                continue
            before = audit.snapshot(current)
            current.expiry_notice_sent_for = current.valid_until
            current.save(update_fields=["expiry_notice_sent_for"])
            audit.record_saved(
                current, actor=None, action=AuditAction.EVIDENCE_EXPIRY_NOTICE, before=before
            )
            mail_after_commit(
                subject=f"Evidence for {current.criterion} expires on {current.valid_until:%-d %B %Y}",
                template="qualification/email/evidence_expiring.txt",
                context={
                    "evidence": evidence,
                    "organisation": evidence.organisation,
                    "base_url": settings.BASE_URL,
                },
                to=partner_admin_emails(evidence.organisation),
            )
            sent += 1
    return sent
