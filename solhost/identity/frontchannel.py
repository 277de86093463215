"""OpenID Connect Front-Channel Logout 1.0: the page a browser lands on when it signs out.

When a resident signs out of the region in a browser (the site's sign-out, a service's
RP-initiated logout that ends the browser's session, or ending the browser's own session on
the connected page), each service that session signed in
to (``queries.sign_ins_of``, as for back-channel logout) and that registered a
``frontchannel_logout_uri`` is loaded in a hidden frame on the page the browser lands on,
with ``iss`` and ``sid`` when the service asked for them (§2, §3). The page frames those
services' origins and nothing else, and works without JavaScript: a small script only
follows its link on to the service that asked to have the resident back
(``post_logout_redirect_uri``) once the frames have loaded.

A browser that withholds a service's cookies from a frame on another site (§4.1) keeps the
service from recognising its own session there; ``sid`` lets the service end it from its
own records, and back-channel logout reaches it from server to server regardless.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from oauth2_provider.settings import oauth2_settings
from oauthlib.common import add_params_to_uri

from solhost.identity.models import ServiceClient
from solhost.identity.queries import sign_ins_of
from solhost.identity.sessions import current_signed_in_session
from solhost.identity.subjects import sid_for

# In the browser's session after sign-out, until the signed-out page has shown it once.
SIGNED_OUT_SESSION_KEY = "identity_signed_out"


def frame_uri(*, client: ServiceClient, issuer: str, sid: str) -> str:
    """The client's front-channel logout URI as the frame loads it: its own query kept,
    with ``iss`` and ``sid`` added when the client asked for them (§2)."""
    if not client.frontchannel_logout_session_required:
        return client.frontchannel_logout_uri
    return add_params_to_uri(client.frontchannel_logout_uri, [("iss", issuer), ("sid", sid)])


def frames_due(request: HttpRequest) -> list[dict[str, str]]:
    """The front-channel logouts this browser's session owes its services, each a service's
    name and the address to frame: read before the session ends, which forgets them."""
    signed_in = current_signed_in_session(request)
    if signed_in is None:
        return []
    # As the ID tokens of the session named it: from the request's host unless configured.
    issuer = oauth2_settings.oidc_issuer(request)
    clients = sign_ins_of(user=request.user, sessions=[signed_in]).sids_by_client
    return [
        {
            "service": client.service.name,
            "uri": frame_uri(client=client, issuer=issuer, sid=sid_for(signed_in.sid, client)),
        }
        for client in sorted(clients, key=lambda client: (client.service.name, client.pk))
        if client.frontchannel_logout_uri
    ]


def to_signed_out_page(
    request: HttpRequest, frames: list[dict[str, str]], *, continue_to: str, service: str = ""
) -> HttpResponse:
    """Send the browser, just signed out, to the page that loads ``frames``.

    They wait in the browser's new, anonymous session for that one showing. The page links
    on to ``continue_to``, where the browser would have gone; with the ``service`` that
    asked for it (RP-initiated logout) the page's script follows the link by itself.
    """
    request.session[SIGNED_OUT_SESSION_KEY] = {
        "frames": frames,
        "continue_to": continue_to,
        "service": service,
    }
    return redirect("identity:signed_out")


def take_signed_out_page(request: HttpRequest) -> dict | None:
    """What the signed-out page is to show, once: a reload finds nothing."""
    return request.session.pop(SIGNED_OUT_SESSION_KEY, None)
