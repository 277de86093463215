"""The write path for partners' own records: organisation details, servers, services, API tokens.

Each function is one use case: it runs in one transaction, re-reads and locks the row it
changes (so the "before" in the audit trail is what was stored, not what a form put in
memory), validates the result as the model would in a form (``full_clean``), saves, and
records one AuditEvent. A change that alters nothing is not recorded.

``data`` holds cleaned form values. Keys outside a use case's editable fields are a
programming error (``ValueError``); ownership rules the forms also enforce are checked
here again, since other callers (API, shell, jobs) skip the forms.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.core.writes import atomic_write, check_editable
from solhost.partners.auth import new_token, token_hash
from solhost.partners.models import EXIT_FIELDS, ApiToken, Organisation, Server, Service
from solhost.partners.signals import announce_change

if TYPE_CHECKING:
    from solhost.identity.models import User

# What a partner may change about itself; kind and slug stay with the steward.
ORGANISATION_FIELDS = (
    "name",
    "legal_form",
    "registration_number",
    "summary",
    "description",
    "locality",
    "website",
    "contact_email",
    "founded",
)
SERVER_FIELDS = (
    "slug",
    "name",
    "role",
    "latitude",
    "longitude",
    "locality",
    "hosting_company",
    "public_ips",
    "asn",
    "operation_started",
    "description",
)
SERVICE_FIELDS = (
    "slug",
    "name",
    "kind",
    "summary",
    "software",
    "software_version",
    "licence",
    "source_url",
    "audience",
    "url",
    "lores_url",
    "servers",
    "accepts_new_residents",
    *EXIT_FIELDS,
)


def _save_partner_record(
    obj: models.Model,
    data: Mapping[str, Any],
    *,
    actor: User,
    action: AuditAction,
    partner: Organisation,
) -> None:
    """Save and audit one of a partner's records; the partner is re-judged once committed."""
    if audit.save_audited(obj, data, actor=actor, action=action):
        announce_change(organisation=partner, change=f"{action} by {audit.actor_label(actor)}")


def update_organisation(
    *, organisation: Organisation, actor: User, data: Mapping[str, Any]
) -> Organisation:
    """Change a partner's own details (not its kind or slug)."""
    check_editable(data, ORGANISATION_FIELDS)
    with atomic_write():
        current = Organisation.objects.select_for_update().get(pk=organisation.pk)
        _save_partner_record(
            current, data, actor=actor, action=AuditAction.ORGANISATION_UPDATE, partner=current
        )
    return current


def create_server(*, organisation: Organisation, actor: User, data: Mapping[str, Any]) -> Server:
    """Add a server to the organisation's list."""
    check_editable(data, SERVER_FIELDS)
    server = Server(organisation=organisation)
    with atomic_write():
        _save_partner_record(
            server, data, actor=actor, action=AuditAction.SERVER_CREATE, partner=organisation
        )
    return server


def update_server(*, server: Server, actor: User, data: Mapping[str, Any]) -> Server:
    """Change a server's details; it stays with its organisation."""
    check_editable(data, SERVER_FIELDS)
    with atomic_write():
        current = Server.objects.select_for_update().get(pk=server.pk)
        _save_partner_record(
            current,
            data,
            actor=actor,
            action=AuditAction.SERVER_UPDATE,
            partner=current.organisation,
        )
    return current


def _check_servers_belong(organisation: Organisation, servers) -> None:
    foreign = [s for s in servers if s.organisation_id != organisation.pk]
    if foreign:
        raise ValidationError(
            {"servers": f"Not a server of {organisation}: {', '.join(map(str, foreign))}."}
        )


def create_service(*, organisation: Organisation, actor: User, data: Mapping[str, Any]) -> Service:
    """Add a service the organisation runs, on some of its own servers.

    How residents leave it, where ``data`` does not say, is as usual for its kind.
    """
    check_editable(data, SERVICE_FIELDS)
    if "servers" in data:
        _check_servers_belong(organisation, data["servers"])
    kind = data.get("kind")
    if kind is not None:
        data = {**kind.exit_information(), **data}
    service = Service(organisation=organisation)
    with atomic_write():
        # full_clean also normalises the licence expression to its SPDX spelling.
        _save_partner_record(
            service,
            data,
            actor=actor,
            action=AuditAction.SERVICE_CREATE,
            partner=organisation,
        )
    return service


def update_service(*, service: Service, actor: User, data: Mapping[str, Any]) -> Service:
    """Change a service's details or the servers it runs on; it stays with its organisation."""
    check_editable(data, SERVICE_FIELDS)
    with atomic_write():
        current = Service.objects.select_for_update().get(pk=service.pk)
        if "servers" in data:
            _check_servers_belong(current.organisation, data["servers"])
        _save_partner_record(
            current,
            data,
            actor=actor,
            action=AuditAction.SERVICE_UPDATE,
            partner=current.organisation,
        )
    return current


def issue_api_token(
    *, organisation: Organisation, actor: User | None, name: str
) -> tuple[ApiToken, str]:
    """Create a token for the organisation's tools; the plain token is returned only here."""
    plaintext, prefix = new_token()
    with transaction.atomic(durable=True):
        token = ApiToken.objects.create(
            organisation=organisation,
            name=name,
            prefix=prefix,
            key_hash=token_hash(plaintext),
            created_by=actor,
        )
        audit.record_saved(token, actor=actor, action=AuditAction.API_TOKEN_ISSUE)
    return token, plaintext


def revoke_api_token(*, token: ApiToken, actor: User | None) -> ApiToken:
    """Stop a token from working, at once and for good."""
    with transaction.atomic(durable=True):
        current = ApiToken.objects.select_for_update().get(pk=token.pk)
        if current.revoked_at is None:
            before = audit.snapshot(current)
            current.revoked_at = timezone.now()
            current.save(update_fields=["revoked_at"])
            audit.record_saved(
                current, actor=actor, action=AuditAction.API_TOKEN_REVOKE, before=before
            )
    return current
