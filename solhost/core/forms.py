"""Showing a write's refusal on the form that asked for it: the one way every page does it."""

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from solhost.core.problems import InputProblems
from solhost.core.safe_json import LARGEST_KEY

Saved = TypeVar("Saved")


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, answering "not one of the available choices" for a number no key column
    can hold. Django looks each value up, and SQLite's driver raises OverflowError for a
    whole number beyond 64 bits instead of finding nothing."""

    def clean(self, value):
        for chosen in value if isinstance(value, list | tuple) else ():
            try:
                number = int(chosen)
            except (TypeError, ValueError):
                continue  # not a number at all: Django's own check names it
            if not -LARGEST_KEY - 1 <= number <= LARGEST_KEY:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": chosen},
                )
        return super().clean(value)


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


def formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """The form field of ``db_field`` on every model form (``formfield_callback``) and in
    the admin: Django's, with the region's two differences."""
    # Addresses typed without a scheme are taken as https, as Django 6 will do by default.
    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    if isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
    return db_field.formfield(**kwargs)
