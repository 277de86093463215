"""Recording writes in the audit trail. Every action calls ``record`` inside its transaction."""

import json

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
        data[field.attname] = ("(set)" if value else "") if field.attname in secret else value
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(v.pk for v in getattr(obj, field.name).all())
    # Round-trip through JSON so dates, decimals and UUIDs compare as they are stored.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def actor_label(actor) -> str:
    if actor is None:
        return "system"
    return actor.get_username() if hasattr(actor, "get_username") else str(actor)


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
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


def events_for(obj: models.Model):
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")
