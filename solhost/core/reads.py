"""Reads shared by every app's hot paths."""

from typing import TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def unique_match(queryset: QuerySet[M]) -> M | None:
    """The row a lookup on a unique key finds, or None.

    ``.first()`` also sorts (by the model's ordering, or else its primary key), so that it
    picks the same row every time among several. A unique key finds at most one, and
    compiling that ORDER BY costs about a tenth of a millisecond, on each of the several
    reads a sign-in makes.
    """
    return next(iter(queryset.order_by()[:1]), None)
