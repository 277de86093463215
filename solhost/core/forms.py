"""Showing a write's refusal on the form that asked for it: the one way every page does it;
and the form fields every model form and the admin use in place of Django's own."""

import re
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.fields import InvalidJSONInput

from solhost.core.addresses import unreadable
from solhost.core.problems import InputProblems
from solhost.core.safe_json import LARGEST_KEY, load_json

Saved = TypeVar("Saved")


def could_be_key(field: models.Field, value: object) -> bool:
    """Whether ``value``, as a form sent it, could name a row by ``field``. Django looks
    such values up as sent, and for an integer key a number beyond 64 bits (SQLite's
    driver raises OverflowError) or one int() refuses ("²") fails inside the query
    instead of finding nothing."""
    if not isinstance(field, models.IntegerField):
        return True
    try:
        return -LARGEST_KEY - 1 <= int(str(value)) <= LARGEST_KEY
    except ValueError:
        return False


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, answering "not one of the available choices" for a number no key column
    can hold instead of failing inside the query that looks it up."""

    def clean(self, value):
        meta = self.queryset.model._meta
        key = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        for chosen in value if isinstance(value, list | tuple) else ():
            if not could_be_key(key, chosen):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": chosen},
                )
        return super().clean(value)


class JSONField(forms.JSONField):
    """Django's, reading the text as every door reads JSON (``core.safe_json.load_json``):
    Python's parser takes NaN, Infinity and 1e309, which no database stores as JSON, and
    the save would fail after the form had passed."""

    def to_python(self, value):
        if isinstance(value, str) and value not in self.empty_values and not self.disabled:
            try:
                load_json(value)
            except InputProblems as problems:
                raise ValidationError(
                    "Not JSON a database can store: %(problems)s",
                    code="invalid",
                    params={"problems": problems},
                ) from None
        return super().to_python(value)

    def bound_data(self, data, initial):
        try:
            return super().bound_data(data, initial)
        except ValueError:
            # Django reads the text again to show the form back, catching only what its
            # parser calls a decode error: an integer too long for int() raised instead.
            return InvalidJSONInput(data)


# A host and port typed without a scheme (``files.example.org:8443/dav``). urllib reads
# the host as the scheme, so Django would not add its assumed scheme and then refuse it.
HOST_AND_PORT = re.compile(r"[a-z0-9.-]+:[0-9]+(?:[/?#]|$)", re.IGNORECASE)


class URLField(forms.URLField):
    """Django's, taking a host and port typed without a scheme as it takes a host alone, and
    refusing a port no connection can use: its validator takes any five digits
    (``https://files.example.org:99999/``), and every reader of the address then fails."""

    def to_python(self, value):
        if isinstance(value, str) and HOST_AND_PORT.match(value.strip()):
            value = f"{self.assume_scheme}://{value.strip()}"
        url = super().to_python(value)
        if unreadable(url) is not None:
            raise ValidationError(
                "Enter a valid URL: its port must be a number up to 65535.", code="invalid"
            )
        return url


def add_errors(form: forms.BaseForm, error: ValidationError | InputProblems) -> None:
    """Put each problem on the field it names; problems about fields the form lacks go on top."""
    if isinstance(error, InputProblems):
        by_field: dict = {}
        for where, message in error.problems:
            by_field.setdefault(where, []).append(message)
    else:
        by_field = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
    for field, errors in by_field.items():
        form.add_error(field if field in form.fields else None, errors)


def submit(form: forms.BaseForm, write: Callable[[dict], Saved]) -> Saved | None:
    """Call ``write`` with the form's cleaned data; None when the form or the write refuses."""
    if not form.is_valid():
        return None
    try:
        return write(form.cleaned_data)
    except (ValidationError, InputProblems) as error:
        add_errors(form, error)
        return None


# How the region's form fields differ from Django's, by model field: every model form
# applies them (``formfield``) and so does the admin (``AuditedAdmin.formfield_overrides``).
FIELD_OVERRIDES: dict[type[models.Field], dict] = {
    # Addresses typed without a scheme are taken as https, as Django 6 will do by default.
    models.URLField: {"form_class": URLField, "assume_scheme": "https"},
    models.ManyToManyField: {"form_class": ModelMultipleChoiceField},
    models.JSONField: {"form_class": JSONField},
}


def formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """The form field of ``db_field`` on every model form (``formfield_callback``)."""
    for field_class, overrides in FIELD_OVERRIDES.items():
        if isinstance(db_field, field_class):
            kwargs = {**overrides, **kwargs}
    return db_field.formfield(**kwargs)
