import datetime
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from solhost.core.parameter_types import KINDS, ParameterValueError, validate_parameter_value


class Parameter(models.Model):
    """A number, price, share or list that the network decides, and may change by decision."""

    key = models.CharField(
        max_length=64,
        unique=True,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]*$", "Use lower-case letters, digits and _.")],
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    criterion = models.CharField(
        max_length=16, blank=True, help_text="Charter criterion ID, e.g. S1."
    )
    kind = models.CharField(max_length=16, choices=[(k, k.replace("_", " ")) for k in KINDS])
    unit = models.CharField(max_length=40, blank=True)
    minimum = models.BigIntegerField(null=True, blank=True)
    maximum = models.BigIntegerField(null=True, blank=True)
    choices = models.JSONField(default=list, blank=True, help_text="Allowed words for text kinds.")

    class Meta:
        ordering = ["key"]

    class NoValueInForce(LookupError):
        pass

    def __str__(self) -> str:
        return self.key

    def validate(self, value: object, *, say: Callable[[int], str] = str) -> object:
        """``value`` if it fits; ``say`` writes numbers in the refusal (see parameter_types)."""
        return validate_parameter_value(
            self.kind,
            value,
            minimum=self.minimum,
            maximum=self.maximum,
            choices=self.choices,
            say=say,
        )

    def value_at(self, at: datetime.date) -> object:
        return parameter_value(self.key, at=at)


class ParameterValue(models.Model):
    """One value of a parameter, in force from a date until the next value's date."""

    parameter = models.ForeignKey(Parameter, on_delete=models.PROTECT, related_name="values")
    value = models.JSONField()
    effective_from = models.DateField()
    source = models.CharField(
        max_length=200, help_text="Where the value comes from: the charter or a decision."
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["parameter__key", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["parameter", "effective_from"], name="one_value_per_parameter_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.parameter.key} = {self.value!r} from {self.effective_from}"

    def save(self, *args, **kwargs):
        self.clean()
        super().save(*args, **kwargs)

    def clean(self):
        try:
            self.parameter.validate(self.value)
        except ParameterValueError as error:
            raise ValidationError({"value": str(error)}) from error


def values_in_force(keys: Iterable[str], *, at: datetime.date) -> dict[str, object]:
    """The value in force on day ``at`` of each parameter in ``keys`` that has one, by key:
    one query, however many keys."""
    rows = (
        ParameterValue.objects.filter(parameter__key__in=list(keys), effective_from__lte=at)
        .order_by("parameter__key", "effective_from")
        .values_list("parameter__key", "value")
    )
    # Each key's later values come after its earlier ones, so the last one stays.
    return dict(rows)


def parameter_values(keys: Iterable[str], *, at: datetime.date) -> dict[str, object]:
    """The value in force on day ``at`` of every parameter in ``keys``, by key; raises
    Parameter.NoValueInForce naming the first that has none."""
    keys = list(keys)
    found = values_in_force(keys, at=at)
    for key in keys:
        if key not in found:
            if Parameter.objects.filter(key=key).exists():
                raise Parameter.NoValueInForce(f"parameter {key!r} has no value in force on {at}")
            raise Parameter.NoValueInForce(f"no parameter called {key!r}")
    return found


def parameter_value(key: str, *, at: datetime.date) -> object:
    """The value of parameter ``key`` in force on day ``at``."""
    return parameter_values([key], at=at)[key]


class AuditEvent(models.Model):
    """An append-only record of one write: who did what to which object, before and after."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(
        max_length=200, help_text="Who acted, kept even if the account goes."
    )
    action = models.CharField(max_length=80, db_index=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("audit events are append-only")
        super().save(*args, **kwargs)

    def changed_fields(self) -> list[str]:
        before, after = self.before or {}, self.after or {}
        return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
