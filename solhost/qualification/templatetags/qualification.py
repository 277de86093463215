from django import template

from solhost.qualification.badges import badge

register = template.Library()


@register.inclusion_tag("qualification/_badge.html")
def qualification_badge(organisation):
    """``{% qualification_badge partner %}``: the partner's charter status, linking to its report."""
    return badge(organisation)


@register.inclusion_tag("qualification/_progress.html")
def qualification_progress(organisation):
    """``{% qualification_progress partner %}``: for the partner's own pages, how far its
    dossier has got, with a link to it."""
    return badge(organisation)


@register.simple_tag
def qualification_standing(organisation) -> str:
    """``{% qualification_standing partner %}``: the partner's latest standing, in words."""
    verdict = badge(organisation)
    if verdict["state"] == "not_evaluated":
        return "not yet evaluated"
    judged = f"judged for {verdict['on']:%-d %B %Y}"
    if verdict["state"] == "qualified":
        return f"qualified ({judged})"
    if verdict["state"] == "not_met":
        return f"not qualified: some criteria are not met ({judged})"
    return (
        f"not qualified yet: {verdict['shown']} of {verdict['total']} criteria shown so far "
        f"({judged})"
    )
