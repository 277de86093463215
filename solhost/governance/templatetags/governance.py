from django import template

from solhost.governance.wording import bound_in_words, code_in_words, value_in_words

register = template.Library()


@register.filter
def in_words(value: object, parameter) -> str:
    """``{{ value|in_words:parameter }}``: dollars, percentages and words, not cents or codes."""
    return value_in_words(parameter.kind, parameter.unit, value)


@register.filter
def bound_words(bound: int | None, parameter) -> str:
    """``{{ parameter.minimum|bound_words:parameter }}``: an allowed bound, read like a value."""
    return bound_in_words(parameter.kind, parameter.unit, bound)


@register.filter
def code_words(code: str) -> str:
    """``{{ choice|code_words }}``: ``active_days`` as people read it."""
    return code_in_words(code)
