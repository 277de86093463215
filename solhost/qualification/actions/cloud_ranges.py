"""Importing the address ranges the cloud companies publish, which check the partners' servers."""

import hashlib

from django.db import transaction
from django.utils import timezone

from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.identity.models import User
from solhost.qualification.cloud_ranges import (
    PROVIDER_COMPANIES,
    parse_cloud_ranges,
    stored_networks,
)
from solhost.qualification.models import CloudRangeList


def _summary(stored: CloudRangeList) -> dict[str, object]:
    # The trail keeps which file was imported, not its thousands of networks.
    return {"count": stored.count, "sha256": stored.sha256, "source_name": stored.source_name}


def import_cloud_ranges(
    *, provider: str, content: bytes, document: object, source_name: str, actor: User | None = None
) -> CloudRangeList:
    """Replace one provider's stored ranges with a freshly published file, all or nothing.

    Raises:
        CloudRangesError with every problem by JSON path; the stored set is unchanged then.
    """
    networks = stored_networks(parse_cloud_ranges(provider, document))
    with transaction.atomic(durable=True):
        current = CloudRangeList.objects.select_for_update().filter(provider=provider).first()
        before = None if current is None else _summary(current)
        stored = current or CloudRangeList(provider=provider)
        stored.company = PROVIDER_COMPANIES[provider]
        stored.networks = "\n".join(networks)
        stored.count = len(networks)
        stored.sha256 = hashlib.sha256(content).hexdigest()
        stored.source_name = source_name[:200]
        stored.imported_at = timezone.now()
        stored.save()
        audit.record(
            actor=actor,
            action=AuditAction.CLOUD_RANGES_IMPORT,
            obj=stored,
            before=before,
            after=_summary(stored),
        )
    return stored
