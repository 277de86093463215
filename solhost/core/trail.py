"""The latest audit events about a page's records, in words, for the people the records belong to."""

import functools
import operator
from collections.abc import Collection

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from solhost.core.audit import events_for
from solhost.core.models import AuditEvent

TRAIL_LENGTH = 20
# The last part of an event's name, as a verb; an admin event ends in Django's own.
VERBS = {
    "create": "added",
    "add": "added",
    "update": "changed",
    "change": "changed",
    "delete": "removed",
    "register": "registered",
    "approve": "approved",
    "new_secret": "gave a new secret to",
}


def trail(objects: list[models.Model], *, of: Collection[str] | None = None) -> list[dict]:
    """The latest audit events about these objects, newest first, in words.

    ``of``: only events of these names. For a record residents act on too (a sign-in
    client: each token issued, each consent), the events of the people it belongs to,
    so that the trail never names a resident to a co-op.
    """
    events = functools.reduce(operator.or_, (events_for(obj) for obj in objects))
    if of is not None:
        events = events.filter(action__in=of)
    return [_describe(event) for event in events[:TRAIL_LENGTH]]


def _describe(event: AuditEvent) -> dict:
    model = event.content_type.model_class() if event.content_type else None
    changed = []
    if event.before is not None and event.after is not None:
        for name in event.changed_fields():
            try:
                field = model._meta.get_field(name)
            except (AttributeError, FieldDoesNotExist):
                changed.append(name)
                continue
            # A time stamp every save moves says nothing of what changed.
            if not getattr(field, "auto_now", False):
                changed.append(str(field.verbose_name))
    return {
        "at": event.at,
        "who": event.actor_label,
        "verb": VERBS.get(event.action.rsplit(".", 1)[-1], event.action),
        "what": event.object_repr,
        "kind": model._meta.verbose_name if model else "",
        "changed": changed,
        "by_steward": event.action.startswith("admin."),
    }
