"""``{% load sign_in %}``: what the sign-in and sign-up pages say about the service that
sent the visitor there."""

from django import template

from solhost.identity.models import ServiceClient
from solhost.identity.queries import client_asking

register = template.Library()


@register.simple_tag(takes_context=True)
def service_asking(context, next_url: str | None) -> ServiceClient | None:
    """The approved client whose sign-in request the page goes on to (``next_url``), for
    the page to name its service; None for any other address."""
    return client_asking(next_url, host=context["request"].get_host())
