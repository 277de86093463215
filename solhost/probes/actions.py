"""Writes: one round of probes, what each check changes, incidents and their notices.

A round checks the addresses first, outside any transaction (a slow service must not hold
a lock), then stores each address's check in a transaction of its own, so one failure
leaves the others stored. Checks are measurements, not decisions: they are not audited
one by one; an incident opening, closing and its partner being emailed are.
"""

import datetime
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.partners.models import Service
from solhost.probes.check import Check, check_url, host_of
from solhost.probes.models import Incident, ProbeHour, ProbeTarget
from solhost.probes.queries import RETENTION, Rules, public_statuses
from solhost.qualification.actions.mail import mail_after_commit
from solhost.qualification.queries import partner_admin_emails

logger = logging.getLogger(__name__)

# Checks made at once: each mostly waits on the network, and a round of a thousand
# services must end well within the interval even when many time out.
PARALLEL_CHECKS = 16
# A check scheduled every minute runs a little early or late; an address checked this
# long before its interval is over is due, so "every 5 minutes" never becomes every 6.
EARLY_BY = datetime.timedelta(seconds=30)
MINUTE = datetime.timedelta(minutes=1)


@dataclass
class RoundResult:
    checked: int = 0
    up: int = 0
    down: int = 0
    not_probed: int = 0
    opened: list[Incident] = field(default_factory=list)
    closed: list[Incident] = field(default_factory=list)
    notified: list[Incident] = field(default_factory=list)


def declared_addresses(service: Service) -> dict[str, str]:
    """The addresses of ``service`` to probe, by target kind: its public URL, and its
    local-network (LoRes) address when that is a web address."""
    found = {ProbeTarget.Kind.PUBLIC.value: service.url}
    if service.lores_url.startswith(("http://", "https://")):
        found[ProbeTarget.Kind.LOCAL_NETWORK.value] = service.lores_url
    return found


def sync_targets() -> list[ProbeTarget]:
    """One target per declared address, following the services' current addresses.

    A target mirrors an address the partner declared on its service (a change there is
    audited as the service's); an address no longer declared goes with its history.
    """
    declared = {
        (service.pk, kind): url
        for service in Service.objects.only("pk", "url", "lores_url")
        for kind, url in declared_addresses(service).items()
    }
    existing = {(t.service_id, t.kind): t for t in ProbeTarget.objects.all()}
    with transaction.atomic(durable=True):
        gone = [t.pk for key, t in existing.items() if key not in declared]
        ProbeTarget.objects.filter(pk__in=gone).delete()
        for (service_id, kind), url in declared.items():
            target = existing.get((service_id, kind))
            if target is None:
                ProbeTarget.objects.create(service_id=service_id, kind=kind, url=url)
            elif target.url != url:
                # A new address starts afresh: the old one's failures say nothing of it.
                ProbeTarget.objects.filter(pk=target.pk).update(
                    url=url, failing_since=None, failed_checks_in_row=0
                )
    return list(ProbeTarget.objects.select_related("service"))


def check_target(target: ProbeTarget) -> Check:
    """Check one target, allowing only the hosts its service declared."""
    hosts = {host_of(url) for url in declared_addresses(target.service).values()}
    private_allowed = (
        target.kind == ProbeTarget.Kind.LOCAL_NETWORK
        or host_of(target.url) in settings.SOLHOST_PROBE_PRIVATE_HOSTS
    )
    return check_url(
        target.url,
        declared_hosts=hosts,
        private_allowed=private_allowed,
        timeout=settings.SOLHOST_PROBE_TIMEOUT_SECONDS,
    )


def probe_services(*, now: datetime.datetime | None = None, due_only: bool) -> RoundResult:
    """Check every declared address (with ``due_only``, those whose interval is over),
    store what each check found, open and close incidents, and notify partners.

    ``now`` is when the checks count as made (the current time unless a test says).
    """
    now = now or timezone.now()
    rules = Rules.at(timezone.localdate(now))
    targets = sync_targets()
    if due_only:
        targets = claim_due(targets, now=now, interval=rules.interval)
    with ThreadPoolExecutor(max_workers=PARALLEL_CHECKS) as pool:
        checks = list(pool.map(check_target, targets))
    result = RoundResult()
    for target, check in zip(targets, checks, strict=True):
        try:
            record_check(target_id=target.pk, check=check, at=now, rules=rules, result=result)
        except ProbeTarget.DoesNotExist:
            continue  # its service was removed during the round
    ProbeHour.objects.filter(hour__lt=now - RETENTION).delete()
    if targets:
        # Added up here, in the worker, so views sharing its cache never wait for it.
        public_statuses(now=now, fresh=True, keep_seconds=(rules.interval + MINUTE).total_seconds())
    return result


def claim_due(
    targets: list[ProbeTarget], *, now: datetime.datetime, interval: datetime.timedelta
) -> list[ProbeTarget]:
    """The targets whose interval is over, each marked as checked at ``now`` first.

    A round slower than the schedule overlaps the next one; marking a target only if its
    last check is still the one this round read means each target is checked by one round.
    """
    claimed = []
    for target in targets:
        last = target.last_checked_at
        if last is not None and now - last < interval - EARLY_BY:
            continue
        if ProbeTarget.objects.filter(pk=target.pk, last_checked_at=last).update(
            last_checked_at=now
        ):
            claimed.append(target)
    return claimed


def record_check(
    *, target_id: int, check: Check, at: datetime.datetime, rules: Rules, result: RoundResult
) -> None:
    """Store one check: the target's latest state, its hour, and any incident it opens,
    closes or makes due for notice."""
    with transaction.atomic(durable=True):
        target = (
            ProbeTarget.objects.select_for_update()
            .select_related("service__organisation")
            .get(pk=target_id)
        )
        target.last_checked_at = at
        target.last_problem = check.problem[:300]
        target.last_status_code = check.status_code
        target.last_latency_ms = check.latency_ms
        if check.refused:
            result.not_probed += 1
            target.last_up = None
            target.save()
            return
        result.checked += 1
        target.last_up = check.up
        hour, _ = ProbeHour.objects.get_or_create(
            target=target, hour=at.replace(minute=0, second=0, microsecond=0)
        )
        ProbeHour.objects.filter(pk=hour.pk).update(
            checks=F("checks") + 1,
            up_checks=F("up_checks") + int(check.up),
            latency_ms_total=F("latency_ms_total") + ((check.latency_ms or 0) if check.up else 0),
        )
        incident = Incident.objects.filter(target=target, ended_at__isnull=True).first()
        if check.up:
            result.up += 1
            target.failing_since = None
            target.failed_checks_in_row = 0
            target.save()
            if incident is not None:
                before = audit.snapshot(incident)
                incident.ended_at = at
                incident.save(update_fields=["ended_at"])
                audit.record_saved(
                    incident, actor=None, action=AuditAction.PROBE_INCIDENT_CLOSE, before=before
                )
                result.closed.append(incident)
            return
        result.down += 1
        target.failing_since = target.failing_since or at
        target.failed_checks_in_row += 1
        target.save()
        if incident is None and target.failed_checks_in_row >= rules.failures_for_incident:
            incident = Incident.objects.create(
                target=target, started_at=target.failing_since, problem=check.problem[:300]
            )
            audit.record_saved(incident, actor=None, action=AuditAction.PROBE_INCIDENT_OPEN)
            result.opened.append(incident)
        if (
            incident is not None
            and incident.partner_notified_at is None
            and at - incident.started_at >= rules.notify_after
        ):
            _notify_partner(incident, target=target, at=at)
            result.notified.append(incident)


def _notify_partner(incident: Incident, *, target: ProbeTarget, at: datetime.datetime) -> None:
    """Email the partner's admins once per incident, after the commit."""
    before = audit.snapshot(incident)
    incident.partner_notified_at = at
    incident.save(update_fields=["partner_notified_at"])
    audit.record_saved(
        incident, actor=None, action=AuditAction.PROBE_INCIDENT_NOTIFY, before=before
    )
    organisation = target.service.organisation
    mail_after_commit(
        subject=f"{target.service} has not answered since {timezone.localtime(incident.started_at):%-d %B, %H:%M}",
        template="probes/email/service_down.txt",
        context={
            "incident": incident,
            "target": target,
            "organisation": organisation,
            "base_url": settings.BASE_URL,
        },
        to=partner_admin_emails(organisation),
    )
