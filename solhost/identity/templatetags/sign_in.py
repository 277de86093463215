"""``{% load sign_in %}``: what the sign-in and sign-up pages say about the service that
sent the visitor there."""

from urllib.parse import parse_qs, urlsplit

from django import template
from django.urls import reverse

from solhost.core.reads import unique_match
from solhost.core.safe_json import text_problem
from solhost.identity.models import ServiceClient

register = template.Library()


@register.simple_tag(takes_context=True)
def service_asking(context, next_url: str | None) -> ServiceClient | None:
    """The approved client whose authorization request ``next_url`` is (this site's
    authorization endpoint, as a service's sign-in sends a visitor on to sign in or sign
    up), for the page to name its service; None for any other address."""
    if not next_url:
        return None
    address = urlsplit(next_url)
    if address.path != reverse("oauth2_provider:authorize"):
        return None
    if address.netloc and address.netloc != context["request"].get_host():
        return None
    client_id = parse_qs(address.query).get("client_id", [""])[0]
    if not client_id or text_problem(client_id):
        return None
    client = unique_match(
        ServiceClient.objects.select_related("service__organisation").filter(client_id=client_id)
    )
    return client if client is not None and client.approved else None
