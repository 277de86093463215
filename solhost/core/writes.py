"""Guards shared by every app's write path (``actions.py``)."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction


def check_editable(data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    """Refuse keys outside a use case's editable fields: a caller's mistake, not user input."""
    unexpected = sorted(set(data) - set(allowed))
    if unexpected:
        raise ValueError(f"not editable here: {', '.join(unexpected)}")


CLASH_MESSAGE = (
    "Another change saved at the same moment clashes with this one (for example the same "
    "name or slug). Nothing was saved: check the form and save again."
)


@contextmanager
def atomic_write() -> Iterator[None]:
    """One transaction; a unique or check constraint that trips at save becomes a form error.

    Forms check uniqueness first, but two people saving at once can both pass that check.
    """
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        raise ValidationError(CLASH_MESSAGE) from error
