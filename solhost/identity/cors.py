"""CORS for the provider endpoints a browser app calls itself: token, userinfo, revocation.

A public client (no secret: a single-page app) runs at the origin of its redirect URIs.
An answer for a client (tokens, a resident's claims) is readable only by that client's
own origins: another app's page may not read what the region tells this one, even where
it holds something of this one's. A refusal carries nothing of anyone's, and every approved
public client's origin may read it, so an app can learn that its token has expired. The
preflight, which carries no credentials and names no client, is answered for all of them.
Confidential clients call from their servers, where CORS plays no part; other origins
get no CORS headers, so browsers keep the answers from them. No cookies are involved
(tokens and PKCE authenticate), so credentials are never allowed. The JWKS needs none of
this: django-oauth-toolkit serves it to any origin.
"""

import functools
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
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


def _approved_public_clients():
    return ServiceClient.objects.filter(
        client_type=AbstractApplication.CLIENT_PUBLIC, approved_at__isnull=False
    )


def _origins(redirect_uris: Iterable[str]) -> set[str]:
    return {origin for uris in redirect_uris for uri in uris.split() if (origin := origin_of(uri))}


def browser_app_origins() -> set[str]:
    """The origins of every approved public client."""
    return _origins(_approved_public_clients().values_list("redirect_uris", flat=True))


def client_origins(client_id: str | None) -> set[str]:
    """The origins of the approved public client ``client_id`` (none for any other)."""
    if not client_id:
        return set()
    return _origins(
        _approved_public_clients()
        .filter(client_id=client_id)
        .values_list("redirect_uris", flat=True)
    )


def client_in_body(request: HttpRequest) -> str | None:
    """The client a token or revocation request names: a public client sends its
    ``client_id`` in the body (RFC 6749 §2.3.1)."""
    client_id = request.POST.get("client_id")
    return client_id if isinstance(client_id, str) else None


def allow_browser_apps(view, *, client_of: Callable[[HttpRequest], str | None]):
    """Answers preflights and marks responses readable by browser apps' origins (who may
    read which, above); the view itself still decides who gets what. ``client_of`` names
    the client a request was answered for, read once the view has answered."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        origin = request.headers.get("Origin")
        preflight = (
            request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
        )
        response = HttpResponse(status=204) if preflight else view(request, *args, **kwargs)
        # An answer for a client is its own origins' to read; the preflight and a refusal,
        # which name no one's, any browser app's.
        if not origin:
            readers: set[str] = set()
        elif preflight or response.status_code >= 400:
            readers = browser_app_origins()
        else:
            readers = client_origins(client_of(request))
        if origin in readers:
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
