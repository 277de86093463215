from django import template

from solhost.qualification.badges import badge
from solhost.qualification.rules import aud as rules_aud

register = template.Library()


@register.inclusion_tag("qualification/_badge.html")
def qualification_badge(organisation):
    """``{% qualification_badge partner %}``: the partner's charter status, linking to its report."""
    return badge(organisation)


@register.filter
def aud(cents):
    """Whole cents as ``AUD 1,234.50``."""
    return rules_aud(int(cents))
