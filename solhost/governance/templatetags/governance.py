from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

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


@register.filter
def breakable_key(key: str) -> SafeString:
    """``{{ parameter.key|breakable_key }}``: a key that may wrap after each underscore, so that
    ``account_deletion_grace_days`` in a heading fits a phone's width."""
    # Escaped first: only the <wbr> tags are markup.
    return mark_safe(escape(key).replace("_", "_<wbr>"))
