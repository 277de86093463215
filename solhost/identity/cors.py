"""CORS for the provider endpoints a browser app calls itself: token, userinfo, revocation.

A public client (no secret: a single-page app) runs at the origin of its redirect URIs,
so those origins, for approved public clients, may read these endpoints' answers.
Confidential clients call from their servers, where CORS plays no part; other origins
get no CORS headers, so browsers keep the answers from them. No cookies are involved
(tokens and PKCE authenticate), so credentials are never allowed. The JWKS needs none of
this: django-oauth-toolkit serves it to any origin.
"""

import functools
from urllib.parse import urlsplit

from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from oauth2_provider.models import AbstractApplication

from solhost.identity.models import ServiceClient

DEFAULT_PORTS = {"http": 80, "https": 443}
# How long a browser may reuse a preflight's answer (seconds).
PREFLIGHT_MAX_AGE = 600


def origin_of(uri: str) -> str | None:
    """The web origin a page at ``uri`` has, serialised as browsers send it in ``Origin``;
    None for an app's private-use scheme, which has no web origin."""
    try:
        parts = urlsplit(uri)
    except ValueError:  # e.g. "https://[x/": a bracketed host that isn't one
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    try:
        port = parts.port
    except ValueError:
        return None
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def browser_app_origins() -> set[str]:
    redirect_uris = ServiceClient.objects.filter(
        client_type=AbstractApplication.CLIENT_PUBLIC, approved_at__isnull=False
    ).values_list("redirect_uris", flat=True)
    return {origin for uris in redirect_uris for uri in uris.split() if (origin := origin_of(uri))}


def allow_browser_apps(view):
    """Answers preflights and marks responses readable by the origins of approved public
    clients; the view itself still decides who gets what."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        origin = request.headers.get("Origin")
        preflight = (
            request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
        )
        response = HttpResponse(status=204) if preflight else view(request, *args, **kwargs)
        if origin and origin in browser_app_origins():
            response["Access-Control-Allow-Origin"] = origin
            if preflight:
                response["Access-Control-Allow-Methods"] = "GET, POST"
                response["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
                response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
            else:
                # A browser app reads why userinfo refused its token from this header.
                response["Access-Control-Expose-Headers"] = "WWW-Authenticate"
        patch_vary_headers(response, ["Origin"])
        return response

    return wrapped
