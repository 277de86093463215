"""``{% load dates %}``: months on pages, written by ``solhost.core.dates``."""

from django import template

from solhost.core.dates import month_in_words

register = template.Library()


@register.filter
def month_words(month: str) -> str:
    """A ``YYYY-MM`` month as people read it: ``{{ "2026-10"|month_words }}`` → ``October 2026``."""
    return month_in_words(month)
