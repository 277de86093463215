"""``{% load money %}``: amounts and shares on pages, written by ``solhost.core.money``."""

from django import template

from solhost.core.money import format_aud, format_bp, format_percent_figure

register = template.Library()


@register.filter
def aud(cents: int | None) -> str:
    """Whole cents as dollars: ``{{ 1234|aud }}`` → ``$12.34``; nothing for None."""
    return "" if cents is None else format_aud(int(cents))


@register.filter
def bp(basis_points: int | None) -> str:
    """Basis points as a share: ``{{ 999|bp }}`` → ``9.99 %``; nothing for None."""
    return "" if basis_points is None else format_bp(int(basis_points))


@register.filter
def percent_figure(basis_points: int | None) -> str:
    """Basis points as the figure alone, for text that writes its own ``%``: ``5000`` → ``50``."""
    return "" if basis_points is None else format_percent_figure(int(basis_points))
