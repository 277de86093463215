"""What a LoRes sync leaves behind when it finds a service's app on its partner's node,
for tests of the pages and checks that read it."""

import datetime

from solhost.lores.models import LoresNode, LoresRegion, ServiceOnLores
from solhost.region.models import current_region

READ = datetime.datetime(2026, 2, 28, 21, 5, tzinfo=datetime.UTC)


def put_on_lores(service, *, app_name: str, app_version: str = "", read=READ) -> ServiceOnLores:
    """``service`` available on the mesh: ``app_name`` installed on a node linked to its
    first server, as a sync reading at ``read`` would store it."""
    server = service.servers.order_by("pk").first()
    lores_region, _ = LoresRegion.objects.get_or_create(
        region=current_region(), defaults={"lores_id": "r1", "name": "Merri-bek"}
    )
    node, _ = LoresNode.objects.get_or_create(
        server=server,
        defaults={
            "lores_region": lores_region,
            "lores_id": server.pk,
            "node_id": f"key-{server.slug}",
            "name": f"{server.slug}-node",
            "last_seen": read,
            "link": LoresNode.Link.LINKED,
        },
    )
    return ServiceOnLores.objects.create(
        service=service,
        node=node,
        app_name=app_name,
        app_version=app_version,
        found_at=read,
        checked_at=read,
    )
