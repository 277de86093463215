"""Reads other apps may call: the LoRes node behind each server, in words, and the evidence
that a service is available on the mesh."""

from collections.abc import Iterable
from dataclasses import dataclass

from solhost.lores.location import distance_m, location_words
from solhost.lores.models import LoresNode, ServiceOnLores
from solhost.partners.models import Server


@dataclass(frozen=True)
class ServerNode:
    """What a server page says about the LoRes node linked to the server."""

    node: LoresNode
    distance_words: str
    location_mismatch: bool


def nodes_for_servers(servers: Iterable[Server]) -> dict[int, ServerNode]:
    """The linked LoRes node of each server that has one, by server id, in one query."""
    by_id = {server.pk: server for server in servers}
    nodes = LoresNode.objects.filter(
        server_id__in=by_id, link=LoresNode.Link.LINKED
    ).select_related("lores_region__region")
    facts = {}
    for node in nodes:
        server = by_id[node.server_id]
        words, mismatch = "The node has no pin on the LoRes map.", False
        if node.latitude is not None and node.longitude is not None:
            metres = distance_m(
                (node.latitude, node.longitude),
                (server.latitude, server.longitude),
                projected_crs=node.lores_region.region.projected_crs,
            )
            mismatch, words = location_words(metres)
        facts[server.pk] = ServerNode(node, words, mismatch)
    return facts


def lores_evidence(service_ids: Iterable[int]) -> dict[int, ServiceOnLores]:
    """The LoRes sync's evidence for each of these services that is available on the mesh."""
    found = ServiceOnLores.objects.filter(service_id__in=list(service_ids)).select_related("node")
    return {evidence.service_id: evidence for evidence in found}
