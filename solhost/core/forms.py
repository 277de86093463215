"""Showing a write's refusal on the form that asked for it: the one way every page does it."""

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError

from solhost.core.problems import InputProblems

Saved = TypeVar("Saved")


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
