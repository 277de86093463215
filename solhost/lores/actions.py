"""Writes of the LoRes sync: one function per use case, each atomic and audited."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from solhost.core.audit import AuditAction, record, record_saved, snapshot
from solhost.core.problems import InputProblems
from solhost.lores import client, parse
from solhost.lores.models import (
    LoresNode,
    LoresRegion,
    NodeApp,
    ServerNodeClaim,
    ServiceOnLores,
    SyncSource,
)
from solhost.lores.recipes import serves
from solhost.partners.models import Server, Service
from solhost.region.models import Region

T = TypeVar("T")


@dataclass
class SyncResult:
    """What one sync found and changed; ``changes`` is empty when nothing did."""

    lores_region: LoresRegion
    nodes: int
    proposed: int
    changes: list[str] = field(default_factory=list)


def sync_from_node(
    *, url: str, actor=None, lores_region_id: str = "", timeout: float = client.TIMEOUT_SECONDS
) -> SyncResult:
    """Read a node's regions, nodes and apps and store them in one transaction.

    Any problem (unreachable, slow, too large, not JSON, not the LoRes shape) raises
    InputProblems naming the endpoint and field, after recording it on the node's
    ``SyncSource``; nothing else is changed.
    """
    if problem := client.address_problem(url):
        raise InputProblems([("--url", problem)])
    source, _ = SyncSource.objects.get_or_create(url=url)
    try:
        read = {
            path: client.read_endpoint(url, path, timeout=timeout)
            for path in (client.MY_REGIONS, client.REGION_APPS)
        }
        result = store_documents(
            source=url,
            regions=read[client.MY_REGIONS],
            apps=read[client.REGION_APPS],
            actor=actor,
            lores_region_id=lores_region_id,
        )
    except InputProblems as problems:
        SyncSource.objects.filter(pk=source.pk).update(
            last_error=str(problems), last_error_at=timezone.now()
        )
        raise
    SyncSource.objects.filter(pk=source.pk).update(
        last_success_at=timezone.now(), last_error="", last_error_at=None
    )
    return result


def store_documents(
    *, source: str, regions: object, apps: object, actor=None, lores_region_id: str = ""
) -> SyncResult:
    """Store a node's ``my_regions`` and ``region_apps`` documents, read from ``source``.

    The documents are checked whole first; any problem raises InputProblems naming the
    endpoint and field, and nothing is changed.
    """
    return _store(
        url=source,
        actor=actor,
        regions=_parsed(client.MY_REGIONS, parse.parse_my_regions, regions),
        apps=_parsed(client.REGION_APPS, parse.parse_region_apps, apps),
        wanted=lores_region_id,
    )


def _parsed(path: str, parser: Callable[[object], T], document: object) -> T:
    """One endpoint's document parsed; the parser's problems are prefixed with the endpoint."""
    try:
        return parser(document)
    except InputProblems as problems:
        raise InputProblems(
            [(f"GET {path} {where}", message) for where, message in problems.problems]
        ) from None


@transaction.atomic
def _store(
    *,
    url: str,
    actor,
    regions: list[parse.RegionWithNodes],
    apps: list[parse.RegionApp],
    wanted: str,
) -> SyncResult:
    region = Region.objects.select_for_update().filter(slug=settings.SOLHOST_REGION).first()
    if region is None:
        raise InputProblems(
            [("SOLHOST_REGION", f"no region {settings.SOLHOST_REGION!r} is set up here")]
        )
    linked = LoresRegion.objects.filter(region=region).first()
    found = _our_region(regions, linked.lores_id if linked else wanted)
    changes: list[str] = []
    lores_region = linked or LoresRegion(region=region, lores_id=found.region.id)
    before = snapshot(lores_region) if linked else None
    _apply_region(lores_region, found.region)
    if before is None:
        lores_region.save()
        changes.append(f"linked to the LoRes region {found.region.name or found.region.id}")
    elif before != snapshot(lores_region):
        lores_region.save()
        changes.append("the LoRes region's details changed")

    now = timezone.now()
    by_lores_id: dict[int, LoresNode] = {}
    for data in found.nodes:
        node, change = _store_node(lores_region, data, seen=now)
        by_lores_id[data.id] = node
        if change:
            changes.append(change)
    changes += _store_apps(lores_region, apps, by_lores_id)
    changes += _store_availability(lores_region, list(by_lores_id.values()), now=now, actor=actor)

    if changes:
        record(
            actor=actor,
            action=AuditAction.LORES_SYNC,
            obj=lores_region,
            note=f"From {url}: " + "; ".join(changes) + ".",
        )
    return SyncResult(
        lores_region=lores_region,
        nodes=len(found.nodes),
        proposed=lores_region.nodes.filter(link=LoresNode.Link.PROPOSED).count(),
        changes=changes,
    )


def _our_region(regions: list[parse.RegionWithNodes], lores_id: str) -> parse.RegionWithNodes:
    ids = [r.region.id for r in regions]
    if lores_id:
        for found in regions:
            if found.region.id == lores_id:
                return found
        raise InputProblems(
            [(f"GET {client.MY_REGIONS}", f"the node is not in the LoRes region {lores_id}")]
        )
    if len(regions) != 1:
        listed = ", ".join(ids) or "none"
        raise InputProblems(
            [
                (
                    f"GET {client.MY_REGIONS}",
                    f"the node is in {len(regions)} regions ({listed}): say which with --region",
                )
            ]
        )
    return regions[0]


def _apply_region(lores_region: LoresRegion, data: parse.LoresRegionData) -> None:
    lores_region.name = data.name
    lores_region.slug = data.slug
    lores_region.organisation_name = data.organisation_name
    lores_region.organisation_url = data.organisation_url
    lo, hi = data.min_latlng, data.max_latlng
    lores_region.min_lat, lores_region.min_lng = (lo.lat, lo.lng) if lo else (None, None)
    lores_region.max_lat, lores_region.max_lng = (hi.lat, hi.lng) if hi else (None, None)


def _store_node(
    lores_region: LoresRegion, data: parse.LoresNodeData, *, seen
) -> tuple[LoresNode, str]:
    values = {
        "lores_id": data.id,
        "name": data.name,
        "status": data.status,
        "state": data.state,
        "status_text": data.status_text,
        "public_ipv4": data.public_ipv4,
        "domain_on_local_network": data.domain_on_local_network,
        "domain_on_internet": data.domain_on_internet,
        "latitude": data.latlng.lat if data.latlng else None,
        "longitude": data.latlng.lng if data.latlng else None,
    }
    label = data.name or data.node_id
    node = LoresNode.objects.select_for_update().filter(node_id=data.node_id).first()
    changed = []
    if node is None:
        node = LoresNode(lores_region=lores_region, node_id=data.node_id, last_seen=seen, **values)
        changed.append("new node")
    else:
        changed += [
            f"{name} {getattr(node, name)!r} → {value!r}"
            for name, value in values.items()
            if getattr(node, name) != value
        ]
        for name, value in values.items():
            setattr(node, name, value)
        node.lores_region, node.last_seen = lores_region, seen
    # A claim made after the node was first proposed links it too; the steward's own
    # link or dismissal is never overridden.
    if node.link == LoresNode.Link.PROPOSED:
        claim = ServerNodeClaim.objects.filter(
            node_id=data.node_id, server__lores_node__isnull=True
        ).first()
        if claim is not None:
            node.link, node.server = LoresNode.Link.LINKED, claim.server
            changed.append(f"linked to {claim.server} as claimed")
        elif node.pk is None:
            changed.append("proposed to the steward")
    node.save()
    if not changed:
        return node, ""
    if changed[0] == "new node":
        return node, f"new node {label}, " + ", ".join(changed[1:])
    return node, f"node {label}: " + ", ".join(changed)


def _store_apps(
    lores_region: LoresRegion, apps: list[parse.RegionApp], nodes: dict[int, LoresNode]
) -> list[str]:
    installed: dict[int, dict[str, str]] = {lores_id: {} for lores_id in nodes}
    problems = []
    for i, app in enumerate(apps):
        if app.region_id != lores_region.lores_id:
            continue  # an app of another region the node belongs to
        for j, inst in enumerate(app.installations):
            if inst.region_node_id not in installed:
                problems.append(
                    (
                        f"GET {client.REGION_APPS} $[{i}].installations[{j}].region_node_id",
                        f"no node with id {inst.region_node_id} in the region",
                    )
                )
                continue
            installed[inst.region_node_id][app.name] = inst.version
    if problems:
        raise InputProblems(problems)
    changes = []
    for lores_id, node in nodes.items():
        wanted = installed[lores_id]
        current = {app.name: app for app in node.apps.all()}
        for name in sorted(current.keys() - wanted.keys()):
            current[name].delete()
            changes.append(f"app {name} removed from {node}")
        for name, version in sorted(wanted.items()):
            if name not in current:
                NodeApp.objects.create(node=node, name=name, version=version)
                changes.append(f"app {name} {version} installed on {node}")
            elif current[name].version != version:
                changes.append(f"app {name} on {node}: {current[name].version} → {version}")
                current[name].version = version
                current[name].save(update_fields=["version"])
    return changes


def _store_availability(
    lores_region: LoresRegion, seen: list[LoresNode], *, now, actor
) -> list[str]:
    """Each service's LoRes availability, derived from the apps on the nodes just read.

    A service is available when an app running its software (``recipes.serves``) is
    installed on a node linked to one of its partner's servers; a node on one of the
    service's own servers is preferred. Each service that gains, loses or changes its
    evidence is audited on its own, so its history shows why V2 changed.
    """
    linked = [node for node in seen if node.link == LoresNode.Link.LINKED]
    apps_by_node = {node.pk: list(node.apps.all()) for node in linked}
    partners = {node.server.organisation_id for node in linked}
    held = ServiceOnLores.objects.select_for_update().filter(node__lores_region=lores_region)
    current = {evidence.service_id: evidence for evidence in held.select_related("node")}
    services = (
        Service.objects.filter(models.Q(organisation_id__in=partners) | models.Q(pk__in=current))
        .select_related("kind")
        .prefetch_related("servers")
        .order_by("slug")
    )
    changes = []
    for service in services:
        own = {server.pk for server in service.servers.all()}
        found = sorted(
            (
                (node.server_id not in own, node.name, app.name, node, app)
                for node in linked
                if node.server.organisation_id == service.organisation_id
                for app in apps_by_node[node.pk]
                if serves(app.name, software=service.software, kind=service.kind.slug)
            ),
            key=lambda match: match[:3],
        )
        evidence = current.get(service.pk)
        if not found:
            if evidence is not None:
                note = (
                    f"{service} is no longer available on LoRes: no app running "
                    f"{service.software} is on a node linked to its partner's servers "
                    f"(it was {evidence.app_name} on {evidence.node})"
                )
                evidence.delete()
                _audit_availability(service, note=note, actor=actor)
                changes.append(note)
            continue
        *_, node, app = found[0]
        if evidence is None:
            evidence = ServiceOnLores(service=service, found_at=now)
        elif (evidence.node_id, evidence.app_name, evidence.app_version) == (
            node.pk,
            app.name,
            app.version,
        ):
            continue
        evidence.node, evidence.app_name, evidence.app_version = node, app.name, app.version
        evidence.checked_at = now
        evidence.save()
        note = f"{service} is available on LoRes: {evidence.evidence_words()}"
        _audit_availability(service, note=note, actor=actor)
        changes.append(note)
    # What was neither added, changed nor removed still holds: it was checked now.
    ServiceOnLores.objects.filter(node__lores_region=lores_region).update(checked_at=now)
    return changes


def _audit_availability(service: Service, *, note: str, actor) -> None:
    record(actor=actor, action=AuditAction.LORES_AVAILABILITY, obj=service, note=note + ".")


@transaction.atomic
def link_node(*, node: LoresNode, server: Server, actor) -> LoresNode:
    """The steward says which server a proposed (or dismissed) node is."""
    node = LoresNode.objects.select_for_update().get(pk=node.pk)
    other = LoresNode.objects.filter(server=server).exclude(pk=node.pk).first()
    if other is not None:
        raise ValidationError(f"{server} is already linked to the node {other}.")
    before = snapshot(node)
    node.link, node.server = LoresNode.Link.LINKED, server
    node.save()
    record_saved(node, actor=actor, action=AuditAction.LORES_NODE_LINK, before=before)
    return node


@transaction.atomic
def dismiss_node(*, node: LoresNode, actor) -> LoresNode:
    """The steward says a node is none of the region's servers (a neighbour's, a test)."""
    node = LoresNode.objects.select_for_update().get(pk=node.pk)
    before = snapshot(node)
    node.link, node.server = LoresNode.Link.DISMISSED, None
    node.save()
    record_saved(node, actor=actor, action=AuditAction.LORES_NODE_DISMISS, before=before)
    return node
