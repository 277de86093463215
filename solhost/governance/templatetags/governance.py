from django import template

register = template.Library()


@register.filter
def parameter_value(value: object) -> str:
    """A parameter value as people read it: lists joined by commas, "—" for none."""
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return str(value)
