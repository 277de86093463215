from django import template

from solhost.qualification.badges import badge

register = template.Library()


@register.inclusion_tag("qualification/_badge.html")
def qualification_badge(organisation):
    """``{% qualification_badge partner %}``: the partner's charter status, linking to its report."""
    return badge(organisation)


@register.simple_tag
def qualification_standing(organisation) -> str:
    """``{% qualification_standing partner %}``: the partner's latest standing, in words."""
    verdict = badge(organisation)
    if verdict["state"] == "qualified":
        return f"qualified (judged for {verdict['on']:%-d %B %Y})"
    if verdict["state"] == "not_qualified":
        return f"not qualified (judged for {verdict['on']:%-d %B %Y})"
    return "not yet evaluated"
