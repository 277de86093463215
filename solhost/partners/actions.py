"""The write path for partners' own records: organisation details, servers, services, power.

Each function is one use case: it runs in one transaction, re-reads and locks the row it
changes (so the "before" in the audit trail is what was stored, not what a form put in
memory), validates the result as the model would in a form (``full_clean``), saves, and
records one AuditEvent. A change that alters nothing is not recorded.

``data`` holds cleaned form values. Keys outside a use case's editable fields are a
programming error (``ValueError``); ownership rules the forms also enforce are checked
here again, since other callers (API, shell, jobs) skip the forms.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from solhost.core import audit
from solhost.core.writes import check_editable
from solhost.energy.models import PowerSystem
from solhost.identity.models import User
from solhost.partners.auth import new_token, token_hash
from solhost.partners.models import ApiToken, Organisation, Server, Service
from solhost.qualification.tasks import evaluate_partner_soon

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
)
POWER_SYSTEM_FIELDS = (
    "pv_kwp",
    "pv_tilt_deg",
    "pv_azimuth_deg",
    "battery_nominal_wh",
    "battery_min_soc_pct",
    "battery_health_pct",
    "round_trip_efficiency_pct",
    "inverter_efficiency_pct",
    "essential_load_w",
    "grid_connected",
    "battery_accounting",
    "community_installation",
    "community_latitude",
    "community_longitude",
)

CLASH_MESSAGE = (
    "Another change saved at the same moment clashes with this one (for example the same "
    "name or slug). Nothing was saved: check the form and save again."
)


@contextmanager
def _write() -> Iterator[None]:
    """One transaction; a unique or check constraint that trips at save becomes a form error.

    Forms check uniqueness first, but two people saving at once can both pass that check.
    """
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        raise ValidationError(CLASH_MESSAGE) from error


def _assign(obj: models.Model, data: Mapping[str, Any]) -> None:
    for name, value in data.items():
        if not obj._meta.get_field(name).many_to_many:
            setattr(obj, name, value)


def _save_audited(
    obj: models.Model,
    data: Mapping[str, Any],
    *,
    actor: User,
    action: str,
    partner: Organisation,
    many_to_many: Mapping[str, list] | None = None,
) -> None:
    """Apply ``data`` to ``obj``, validate, and save with one audit event if anything changed.

    A new object (no primary key) always counts as changed. The caller holds the row lock.
    """
    links = dict(many_to_many or {})
    before = audit.snapshot(obj) if obj.pk is not None else None
    _assign(obj, data)
    obj.full_clean()
    after = audit.snapshot(obj)
    for name, targets in links.items():
        after[name] = sorted(t.pk for t in targets)
    if before == after:
        return
    obj.save()
    for name, targets in links.items():
        getattr(obj, name).set(targets)
    audit.record(actor=actor, action=action, obj=obj, before=before, after=audit.snapshot(obj))
    # Qualification is judged on these records; re-judge once the change is committed, so a
    # failing evaluation can never undo the partner's edit.
    trigger = f"{action} by {audit.actor_label(actor)}"
    transaction.on_commit(lambda: evaluate_partner_soon(partner.pk, trigger))


def update_organisation(
    *, organisation: Organisation, actor: User, data: Mapping[str, Any]
) -> Organisation:
    """Change a partner's own details (not its kind or slug)."""
    check_editable(data, ORGANISATION_FIELDS)
    with _write():
        current = Organisation.objects.select_for_update().get(pk=organisation.pk)
        _save_audited(
            current, data, actor=actor, action="partners.organisation.update", partner=current
        )
    return current


def create_server(*, organisation: Organisation, actor: User, data: Mapping[str, Any]) -> Server:
    """Add a server to the organisation's list."""
    check_editable(data, SERVER_FIELDS)
    server = Server(organisation=organisation)
    with _write():
        _save_audited(
            server, data, actor=actor, action="partners.server.create", partner=organisation
        )
    return server


def update_server(*, server: Server, actor: User, data: Mapping[str, Any]) -> Server:
    """Change a server's details; it stays with its organisation."""
    check_editable(data, SERVER_FIELDS)
    with _write():
        current = Server.objects.select_for_update().get(pk=server.pk)
        _save_audited(
            current,
            data,
            actor=actor,
            action="partners.server.update",
            partner=current.organisation,
        )
    return current


def _check_servers_belong(organisation: Organisation, servers) -> None:
    foreign = [s for s in servers if s.organisation_id != organisation.pk]
    if foreign:
        raise ValidationError(
            {"servers": f"Not a server of {organisation}: {', '.join(map(str, foreign))}."}
        )


def _service_links(organisation: Organisation, data: Mapping[str, Any]) -> dict[str, list]:
    if "servers" not in data:
        return {}
    servers = list(data["servers"])
    _check_servers_belong(organisation, servers)
    return {"servers": servers}


def create_service(*, organisation: Organisation, actor: User, data: Mapping[str, Any]) -> Service:
    """Add a service the organisation runs, on some of its own servers."""
    check_editable(data, SERVICE_FIELDS)
    links = _service_links(organisation, data)
    service = Service(organisation=organisation)
    with _write():
        # full_clean also normalises the licence expression to its SPDX spelling.
        _save_audited(
            service,
            data,
            actor=actor,
            action="partners.service.create",
            partner=organisation,
            many_to_many=links,
        )
    return service


def update_service(*, service: Service, actor: User, data: Mapping[str, Any]) -> Service:
    """Change a service's details or the servers it runs on; it stays with its organisation."""
    check_editable(data, SERVICE_FIELDS)
    with _write():
        current = Service.objects.select_for_update().get(pk=service.pk)
        links = _service_links(current.organisation, data)
        _save_audited(
            current,
            data,
            actor=actor,
            action="partners.service.update",
            partner=current.organisation,
            many_to_many=links,
        )
    return current


def save_power_system(*, server: Server, actor: User, data: Mapping[str, Any]) -> PowerSystem:
    """Describe, or correct, how the server's location is powered."""
    check_editable(data, POWER_SYSTEM_FIELDS)
    with _write():
        current = PowerSystem.objects.select_for_update().filter(server=server).first()
        power = current or PowerSystem(server=server)
        verb = "update" if current is not None else "create"
        _save_audited(
            power,
            data,
            actor=actor,
            action=f"partners.power_system.{verb}",
            partner=server.organisation,
        )
    return power


def issue_api_token(
    *, organisation: Organisation, actor: User | None, name: str
) -> tuple[ApiToken, str]:
    """Create a token for the organisation's tools; the plain token is returned only here."""
    plaintext, prefix = new_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            organisation=organisation,
            name=name,
            prefix=prefix,
            key_hash=token_hash(plaintext),
            created_by=actor,
        )
        audit.record(
            actor=actor, action="partners.api_token.issue", obj=token, after=audit.snapshot(token)
        )
    return token, plaintext


def revoke_api_token(*, token: ApiToken, actor: User | None) -> ApiToken:
    """Stop a token from working, at once and for good."""
    with transaction.atomic():
        current = ApiToken.objects.select_for_update().get(pk=token.pk)
        if current.revoked_at is None:
            before = audit.snapshot(current)
            current.revoked_at = timezone.now()
            current.save(update_fields=["revoked_at"])
            audit.record(
                actor=actor,
                action="partners.api_token.revoke",
                obj=current,
                before=before,
                after=audit.snapshot(current),
            )
    return current
