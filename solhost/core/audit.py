"""Recording writes in the audit trail. Every action calls ``record`` inside its transaction.

Every event carries a name from ``AuditAction`` (or, for the steward's admin, one made by
``admin_action``), so the trail speaks one documented vocabulary; ``docs/audit.md`` lists it.
Most writes are "apply these values, validate, save if anything changed, record one
event": that is ``save_audited``, the one implementation every action uses.
"""

import itertools
import json
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from solhost.core.models import AuditEvent

# Never copied into the trail, only noted as present: password hashes and MFA secrets.
SECRET_FIELDS = {
    "identity.user": {"password"},
    "identity.serviceclient": {"client_secret"},
    "mfa.authenticator": {"data"},
}


def snapshot(obj: models.Model) -> dict:
    """The object's own fields and many-to-many keys, as JSON-safe values."""
    data = {}
    secret = SECRET_FIELDS.get(obj._meta.label_lower, set())
    for field in obj._meta.concrete_fields:
        value = field.value_from_object(obj)
        if isinstance(field, models.FileField):
            # The stored file's name; the file itself stays where it is.
            value = value.name or ""
        elif isinstance(field, models.DecimalField) and isinstance(value, Decimal):
            # At the column's scale, so a form's 1.5 and the stored 1.50 are the same value.
            value = value.quantize(Decimal(1).scaleb(-field.decimal_places))
        data[field.attname] = ("(set)" if value else "") if field.attname in secret else value
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(v.pk for v in getattr(obj, field.name).all())
    # Round-trip through JSON so dates, decimals and UUIDs compare as they are stored.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


class AuditAction(StrEnum):
    """Every name an audit event can carry, each with one line on what happened.

    Names are stored with each event and shown in the trail, so they never change once
    used: ``partners.power_system.*`` keeps its name although energy now owns the record.
    """

    description: str

    def __new__(cls, value: str, description: str) -> "AuditAction":
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member

    # core
    DEMO_LOAD = "demo.load", "The demo region was created or refreshed."
    # partners
    ORGANISATION_UPDATE = "partners.organisation.update", "A partner changed its own details."
    SERVER_CREATE = "partners.server.create", "A partner added a server."
    SERVER_UPDATE = "partners.server.update", "A partner changed a server."
    SERVICE_CREATE = "partners.service.create", "A partner added a service."
    SERVICE_UPDATE = "partners.service.update", "A partner changed a service."
    API_TOKEN_ISSUE = "partners.api_token.issue", "An API token was made for a partner."
    API_TOKEN_REVOKE = "partners.api_token.revoke", "A partner's API token was revoked."
    # identity
    LOGIN = "identity.login", "A resident signed in to the region."
    LOGIN_FAILED = "identity.login_failed", "A sign-in failed (the name tried is noted)."
    LOGIN_BURST_ALERT = (
        "identity.login_burst_alert",
        "A resident was emailed about many failed sign-ins to their account.",
    )
    LOGOUT = "identity.logout", "A resident signed out of the region."
    MFA_ADD = "identity.mfa.add", "A resident added a second factor."
    MFA_REMOVE = "identity.mfa.remove", "A resident removed a second factor."
    MFA_RESET = "identity.mfa.reset", "A resident's second factors were reset."
    CREDENTIALS_RENEWAL_START = (
        "identity.credentials.renewal_start",
        "The steward began renewing accounts' credentials, which may have been copied "
        "(the reason in the note).",
    )
    CREDENTIALS_RENEW = (
        "identity.credentials.renew",
        "An account's password, authenticator app and recovery codes stopped working, for a "
        "renewal of credentials (what it lost in the note); it is signed out everywhere next.",
    )
    CREDENTIALS_RENEW_UNMAILED = (
        "identity.credentials.renew_unmailed",
        "A resident whose credentials were renewed has no verified address to mail the link "
        "to: the steward reaches them another way.",
    )
    CREDENTIALS_RENEW_MAIL = (
        "identity.credentials.renew_mail",
        "A resident whose credentials were renewed was mailed a link to choose a new password.",
    )
    CREDENTIALS_RENEWAL_FINISH = (
        "identity.credentials.renewal_finish",
        "Every account of a renewal of credentials was renewed.",
    )
    REAUTHENTICATE = (
        "identity.session.reauthenticate",
        "A signed-in resident proved who they are again (a service asked, or for a second factor).",
    )
    CLIENT_REGISTER = "identity.client.register", "A partner registered a service's sign-in."
    CLIENT_APPROVE = "identity.client.approve", "The steward approved a service's sign-in."
    CLIENT_CHANGE = (
        "identity.client.change",
        "A partner changed the addresses of a service's sign-in client.",
    )
    CLIENT_NEW_SECRET = (
        "identity.client.new_secret",
        "A partner gave a service's sign-in client a new secret; the old one stopped working.",
    )
    SIGNING_KEY_ROTATE = (
        "identity.signing_key.rotate",
        "A new signing key was published, to sign from a later time (kids in after; the "
        "keys no token refers to any more were deleted).",
    )
    SIGNING_KEY_WITHDRAW = (
        "identity.signing_key.withdraw",
        "Every signing key was replaced at once, for keys that may have been copied "
        "(the withdrawn kids in before).",
    )
    CLIENT_REMOVE = (
        "identity.client.remove",
        "A partner removed a service's sign-in client, and every token issued to it.",
    )
    CONSENT_GIVE = "identity.consent.give", "A resident let a service see their details."
    CONSENT_WITHDRAW = "identity.consent.withdraw", "A resident disconnected a service."
    SESSION_END = "identity.session.end", "A resident ended one of their sessions."
    TOKEN_ISSUE = "identity.token.issue", "A service received tokens for a resident."
    TOKEN_REVOKE = "identity.token.revoke", "A service's tokens for a resident were revoked."
    LOGOUT_BY_SERVICE = (
        "identity.logout.by_service",
        "A service signed a resident out of the region in that browser (RP-initiated logout).",
    )
    PASSWORD_SET_BY_COMMAND = (
        "identity.password.set_by_command",
        "An account's password was set with `solhost changepassword` on the server.",
    )
    SESSION_END_PASSWORD = (
        "identity.session.end_password",
        "A session ended because the account's password was changed or reset.",
    )
    BACKCHANNEL_LOGOUT_QUEUE = (
        "identity.backchannel_logout.queue",
        "A service is to be sent a logout token for a resident (back-channel logout).",
    )
    BACKCHANNEL_LOGOUT_DELIVER = (
        "identity.backchannel_logout.deliver",
        "A service acknowledged a logout token.",
    )
    BACKCHANNEL_LOGOUT_ABANDON = (
        "identity.backchannel_logout.abandon",
        "A service never acknowledged a logout token; the region stopped trying.",
    )
    # sites
    SITE_KEYS = (
        "sites.keys",
        "A site of the region was registered, or its new signing keys were (by the steward, "
        "or announced by the site after a rotation; kids in after).",
    )
    SITE_REMOVE = (
        "sites.remove",
        "The steward cut a site out of the region: its keys left the JWKS, its batches are refused.",
    )
    SITE_FORWARD_AGAIN = (
        "sites.forward.again",
        "A site's operator had it forward again what the primary answered for since a "
        "moment (the primary was restored from a backup taken then; since and events in after).",
    )
    SITE_STORE_RESTORE = (
        "sites.store.restore",
        "A store was found restored from a backup: a site's (by its operator, or by the "
        "primary holding other events under its numbers), or the whole installation's (by "
        "solhost restore, the archive in the note). What it issued before ends_before ends, "
        "and a site's events from first_ids on are forwarded under new names.",
    )
    # energy
    POWER_SYSTEM_CREATE = "partners.power_system.create", "A partner described a server's power."
    POWER_SYSTEM_UPDATE = "partners.power_system.update", "A partner changed a power system."
    TELEMETRY_UPLOAD = "energy.telemetry.upload", "Meter readings were uploaded for a server."
    ANALYSIS_CREATE = "energy.analysis.create", "A server's energy was analysed the first time."
    ANALYSIS_UPDATE = "energy.analysis.update", "A server's energy analysis was redone."
    # metering
    USAGE_BATCH = "metering.usage_batch", "A partner reported a batch of usage events."
    # governance
    PROPOSAL_CREATE = "governance.proposal.create", "A member drafted a proposal."
    PROPOSAL_UPDATE = "governance.proposal.update", "A draft proposal was changed."
    PROPOSAL_OPEN = "governance.proposal.open", "A proposal was opened for votes."
    PROPOSAL_CLOSE = "governance.proposal.close", "A proposal's vote closed and was tallied."
    PROPOSAL_ENACT = "governance.proposal.enact", "An adopted proposal changed parameters."
    CHANGE_CREATE = "governance.change.create", "A parameter change was added to a draft."
    CHANGE_DELETE = "governance.change.delete", "A parameter change was taken out of a draft."
    VOTE_CAST = "governance.vote.cast", "An organisation voted."
    VOTE_CHANGE = "governance.vote.change", "An organisation changed its vote."
    # ledger
    LEDGER_POST = "ledger.post", "A balanced transaction was written to the books."
    # qualification
    DECLARATIONS_SAVE = "qualification.declarations.save", "A partner changed its declarations."
    DOSSIER_IMPORT = "qualification.dossier.import", "A partner imported a dossier file."
    FINANCIAL_YEAR_CREATE = "qualification.financial_year.create", "A financial year was added."
    FINANCIAL_YEAR_UPDATE = "qualification.financial_year.update", "A financial year was corrected."
    FINANCIAL_YEAR_DELETE = "qualification.financial_year.delete", "A financial year was removed."
    FINANCIAL_YEAR_IMPORT = (
        "qualification.financial_year.import",
        "A financial year was added or corrected by a dossier import.",
    )
    EVIDENCE_SUBMIT = "qualification.evidence.submit", "A partner submitted evidence."
    EVIDENCE_APPROVED = "qualification.evidence.approved", "The steward approved evidence."
    EVIDENCE_REJECTED = "qualification.evidence.rejected", "The steward rejected evidence."
    EVIDENCE_MORE_REQUESTED = (
        "qualification.evidence.more_requested",
        "The steward asked the partner for more evidence.",
    )
    EVIDENCE_EXPIRY_NOTICE = (
        "qualification.evidence.expiry_notice",
        "A partner was told their evidence is about to expire.",
    )
    APPLICATION_SUBMIT = "qualification.application.submit", "A co-op applied to be a partner."
    APPLICATION_APPROVE = (
        "qualification.application.approve",
        "The steward approved an application.",
    )
    APPLICATION_REJECT = "qualification.application.reject", "The steward refused an application."
    APPLICATION_CREATE_ORGANISATION = (
        "qualification.application.create_organisation",
        "An approved application became a partner organisation.",
    )
    APPLICATION_ADD_PARTNER_ADMIN = (
        "qualification.application.add_partner_admin",
        "The applicant became the new partner's admin.",
    )
    QUALIFICATION_RUN = "qualification.run", "A partner was evaluated against the charter."
    CLOUD_RANGES_IMPORT = "qualification.cloud_ranges.import", "Cloud address ranges were imported."
    # contributions
    CONTRIBUTION_CHOOSE = "contributions.choose", "A resident chose what they pay."
    SEAT_SPONSOR = "contributions.sponsor_seat", "An organisation sponsored a resident's seat."
    SEAT_STOP = "contributions.stop_seat", "A sponsored seat was stopped."
    PAYMENT = "contributions.payment", "A payment was recorded."
    STATEMENT_IMPORT = (
        "contributions.statement.import",
        "A bank statement was imported (its counts are in the note).",
    )
    STATEMENT_LINE_DECIDE = (
        "contributions.statement_line.decide",
        "The steward said what an unmatched statement line is: a resident's, a gift, or not ours.",
    )
    PLEDGE_SET = "contributions.pledge.set", "A resident chose or changed their pledge."
    PLEDGE_STATUS = (
        "contributions.pledge.status",
        "A resident paused, stopped or resumed their pledge.",
    )
    PLEDGE_REMINDERS = (
        "contributions.pledge.reminders",
        "A resident said whether they want reminders about their pledge.",
    )
    PLEDGE_REMINDER = (
        "contributions.pledge.reminder",
        "A gentle reminder was emailed about a pledged payment that has not arrived.",
    )
    # distribution
    CLOSE_PERIOD = "distribution.close_period", "A month's money was split and closed."
    PAYOUT = "distribution.payout", "A transfer to a partner was recorded."
    BANK_ACCOUNT = "distribution.bank_account", "A partner's bank account for payouts was set."
    PAYOUT_BATCH = (
        "distribution.payout_batch",
        "The payouts owed were gathered in a batch for a direct-entry file.",
    )
    PAYOUT_BATCH_SENT = (
        "distribution.payout_batch.sent",
        "A payout batch was sent to the bank and its payments posted to the ledger.",
    )
    PAYOUT_RECONCILE = (
        "distribution.payout_line.reconcile",
        "A payout batch line was reconciled with the bank statement's debit that paid it.",
    )
    PAYOUT_DEBIT_FLAG = (
        "distribution.payout_debit.flag",
        "A statement debit naming a payout did not match it and was flagged for the steward.",
    )
    PAYMENT_REVERSE = (
        "distribution.payment_reverse",
        "A payment was refunded or reversed by the bank, by a reversing transaction.",
    )
    # residents
    EXPORT_DOWNLOAD = (
        "residents.export.download",
        "A resident downloaded everything the region holds about them.",
    )
    EXPORT_REQUEST = (
        "residents.export.request",
        "A resident asked for an export too large to download at once; it is built for them.",
    )
    EXPORT_READY = (
        "residents.export.ready",
        "A resident's export was built and they were emailed a link to it.",
    )
    EXPORT_REMOVE = "residents.export.remove", "An export's link expired and its file was removed."
    DELETION_REQUEST = (
        "residents.deletion.request",
        "A resident asked for their account to be deleted after the grace period.",
    )
    DELETION_CANCEL = (
        "residents.deletion.cancel",
        "A resident cancelled the deletion of their account.",
    )
    DELETION_FINAL_EMAIL = (
        "residents.deletion.final_email",
        "A resident whose account is about to be erased was emailed their export.",
    )
    DELETION_ERASE = (
        "residents.deletion.erase",
        "A resident's account was erased: personal data gone, money records kept under an "
        "anonymous id, partners told.",
    )
    JOURNAL_REDO = (
        "residents.journal.redo",
        "A change to a resident's account made after the restored archive was made again from "
        "the account journal (what, and when it was first made, in the note).",
    )
    # winddown
    WIND_DOWN_START = "winddown.start", "A partner's wind-down was announced with its dates."
    WIND_DOWN_CASE_OPEN = (
        "winddown.case.open",
        "A resident who began using a closing partner's service after its announcement got a case.",
    )
    WIND_DOWN_CASE_EXPORTED = (
        "winddown.case.exported",
        "A closing partner returned a resident's data from one of its services.",
    )
    WIND_DOWN_CASE_MOVE_REQUEST = (
        "winddown.case.move_request",
        "A resident of a closing partner asked to move to another partner's service.",
    )
    WIND_DOWN_CASE_MOVE_ACCEPT = (
        "winddown.case.move_accept",
        "A receiving partner accepted a resident moving from a closing partner.",
    )
    WIND_DOWN_CASE_DECLINE = (
        "winddown.case.decline",
        "A resident of a closing partner wanted neither their data back nor a move.",
    )
    WIND_DOWN_CASE_NO_RESPONSE = (
        "winddown.case.no_response",
        "A wind-down case was still open after the data-return deadline.",
    )
    WIND_DOWN_COMPLETE = (
        "winddown.complete",
        "The steward confirmed a partner's wind-down complete.",
    )
    WIND_DOWN_HANDOVER_OFFER = (
        "winddown.handover.offer",
        "A closing partner offered a server or equipment to other groups.",
    )
    WIND_DOWN_HANDOVER_REQUEST = (
        "winddown.handover.request",
        "A partner or group asked for a closing partner's server or equipment.",
    )
    WIND_DOWN_HANDOVER_RECORD = (
        "winddown.handover.record",
        "The steward recorded a server or equipment handed over to another group.",
    )
    WIND_DOWN_SETTLE = (
        "winddown.settle",
        "A completed wind-down's held and carried money was settled as the network's rule "
        "says: released to the partner's payable, or moved to the solidarity fund.",
    )
    # backups
    BACKUP_RESTORE = (
        "backups.restore",
        "The installation was restored from a backup archive (named in the note).",
    )
    # lores
    LORES_SYNC = (
        "lores.sync",
        "The region's LoRes nodes and apps were read from a node and changed (listed in the note).",
    )
    LORES_NODE_LINK = (
        "lores.node.link",
        "The steward said which of the region's servers a LoRes node is.",
    )
    LORES_NODE_DISMISS = (
        "lores.node.dismiss",
        "The steward said a LoRes node is not one of the region's servers.",
    )
    # probes
    PROBE_INCIDENT_OPEN = (
        "probes.incident.open",
        "A service's address failed enough checks in a row to count as an incident.",
    )
    PROBE_INCIDENT_CLOSE = (
        "probes.incident.close",
        "A service's address answered again, ending its incident.",
    )
    PROBE_INCIDENT_NOTIFY = (
        "probes.incident.notify",
        "A partner was emailed that one of its services has been down longer than allowed.",
    )
    LORES_AVAILABILITY = (
        "lores.availability",
        "A sync found a service became or stopped being available on the LoRes mesh, "
        "or served by another app (the app and node in the note).",
    )


AdminVerb = Literal["add", "change", "delete", "verify", "set_password"]
_ADMIN_ACTION = re.compile(r"admin\.[a-z0-9_]+\.(add|change|delete|verify|set_password)")


def admin_action(model: type[models.Model] | models.Model, verb: AdminVerb) -> str:
    """The name of a change made in the steward's admin: ``admin.<model>.<verb>``."""
    return f"admin.{model._meta.model_name}.{verb}"


def is_known_action(action: str) -> bool:
    return action in AuditAction._value2member_map_ or bool(_ADMIN_ACTION.fullmatch(action))


def actor_label(actor) -> str:
    if actor is None:
        return "system"
    return actor.get_username() if hasattr(actor, "get_username") else str(actor)


def record(
    *,
    actor,
    action: AuditAction | str,
    obj: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> AuditEvent:
    """Write one event; ``action`` is an ``AuditAction`` or an ``admin_action`` name."""
    event = _event(actor=actor, action=action, obj=obj, before=before, after=after, note=note)
    event.save()
    return event


def record_each(
    *, actor, action: AuditAction, notes: Iterable[tuple[models.Model, str]], batch: int = 1000
) -> int:
    """Write one event per object in ``notes``, each with its own note, as ``record`` would,
    in inserts of ``batch``: for one write that touches many records at once. Returns how
    many events were written."""
    events = (_event(actor=actor, action=action, obj=obj, note=note) for obj, note in notes)
    written = 0
    while chunk := list(itertools.islice(events, batch)):
        AuditEvent.objects.bulk_create(chunk)
        written += len(chunk)
    return written


def _event(
    *,
    actor,
    action: AuditAction | str,
    obj: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> AuditEvent:
    """The event ``record`` writes, not saved yet."""
    if not is_known_action(action):
        raise ValueError(f"unknown audit action {action!r}: add it to AuditAction")
    return AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label(actor),
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        before=before,
        after=after,
        note=note,
    )


def save_audited(
    obj: models.Model,
    data: Mapping[str, Any],
    *,
    actor,
    action: AuditAction,
    skip: Iterable[str] = (),
) -> bool:
    """Apply ``data`` to ``obj``, validate it as a form would, save it and record one event.

    Arguments:
    - ``obj``: the row to change, re-read and locked by the caller inside its transaction
      (so "before" is what was stored), or a new, unsaved one (always counts as changed);
    - ``data``: field names to cleaned values; many-to-many fields take model instances
      and are set after the save;
    - ``actor``, ``action``: who did it and the event's name;
    - ``skip``: fields ``full_clean`` must not check (e.g. a parent not yet saved).

    Returns whether anything changed; when nothing did, nothing is saved or recorded.
    """
    fields = {field.name: field for field in obj._meta.get_fields()}
    links = {name: list(value) for name, value in data.items() if fields[name].many_to_many}
    before = snapshot(obj) if obj.pk is not None else None
    for name, value in data.items():
        if name not in links:
            setattr(obj, name, value)
    obj.full_clean(exclude=list(skip) or None)
    after = snapshot(obj)
    for name, targets in links.items():
        after[name] = sorted(target.pk for target in targets)
    if before == after:
        return False
    obj.save()
    for name, targets in links.items():
        getattr(obj, name).set(targets)
    record_saved(obj, actor=actor, action=action, before=before)
    return True


def record_saved(
    obj: models.Model,
    *,
    actor,
    action: AuditAction | str,
    before: dict | None = None,
    note: str = "",
) -> AuditEvent:
    """Record a row the action has just saved: ``before`` as it was read (None for a new
    row), and after as it is stored now."""
    return record(
        actor=actor, action=action, obj=obj, before=before, after=snapshot(obj), note=note
    )


def events_for(obj: models.Model):
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")
