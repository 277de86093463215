from django import template

from solhost.contributions.money import format_aud

register = template.Library()


@register.filter
def aud(cents) -> str:
    """Whole cents as dollars: ``{{ 1234|aud }}`` → $12.34."""
    return "" if cents is None else format_aud(int(cents))
