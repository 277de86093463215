"""OpenID Connect Back-Channel Logout 1.0: the logout tokens the region sends services.

When a resident's session ends, each service that registered a ``backchannel_logout_uri``
and holds their tokens or consent is sent a signed logout token (a JWT naming the
resident's ``sub`` and, for a session, its ``sid``) by an HTTP POST from server to server,
so the service signs them out too. ``actions`` decides who is owed one and records it as
a ``LogoutDelivery``; ``tasks`` posts it, and retries with growing delays until the
service answers 200 or 204.
"""

import datetime
import http.client
import json
import uuid
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from jwcrypto import jwt
from oauth2_provider.settings import oauth2_settings

from solhost.core.outbound import (
    RefusedAddress,
    pinned_connection,
    port_of,
    request_target,
    resolve,
)
from solhost.identity import jwks
from solhost.identity.models import ServiceClient, logout_address_problem

LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
# §4 of the specification: a short life, so a captured token can't be replayed later.
TOKEN_SECONDS = 120
# A service that answers within this is reachable; one that doesn't is tried again later.
POST_TIMEOUT_SECONDS = 5
# Retries 30 s, 1, 2, 4, 8, 16 and 32 min after a failure, then an hour apart: about five
# hours in all before the region gives up and says so in the audit trail.
MAX_ATTEMPTS = 12
FIRST_RETRY_SECONDS = 30
LONGEST_RETRY_SECONDS = 3600
# §2.8: a service that could not sign the resident out answers 400. Mostly it judged the
# token's claims, and a new token carries the same ones (Synapse, say, refuses one without
# ``sid``); but the specification gives no other answer for a failure of its own. So a
# token refused is sent twice more, half a minute and a minute later, not for five hours.
REFUSED = "refused: HTTP 400"
REFUSED_ATTEMPTS = 3
# How an outcome begins when the service's server gave no answer at all (not resolved,
# not reached, or silent past POST_TIMEOUT_SECONDS).
NO_ANSWER = "no answer"


def issuer() -> str:
    """The region's issuer, as its ID tokens name it.

    Without SOLHOST_BASE_URL the provider names itself after each request's host; a
    logout token is sent with no request at hand, so it uses the configured address.
    """
    return oauth2_settings.OIDC_ISS_ENDPOINT or settings.BASE_URL


def logout_token(
    *, client: ServiceClient, subject: str, sid: uuid.UUID | None, now: datetime.datetime
) -> str:
    """A logout token for ``client`` (§2.4), signed RS256 with the provider's active key.

    It never holds a ``nonce``, so it can't pass for an ID token, and it is explicitly
    typed ``logout+jwt`` as the specification recommends.
    """
    issued = int(now.timestamp())
    claims = {
        "iss": issuer(),
        "aud": client.client_id,
        "iat": issued,
        "exp": issued + TOKEN_SECONDS,
        "jti": str(uuid.uuid4()),
        "sub": subject,
        "events": {LOGOUT_EVENT: {}},
    }
    if sid is not None:
        claims["sid"] = str(sid)
    key = jwks.signing_key()
    token = jwt.JWT(
        header={"alg": "RS256", "typ": "logout+jwt", "kid": key.thumbprint()},
        claims=json.dumps(claims),
    )
    token.make_signed_token(key)
    return token.serialize()


def post_logout_token(uri: str, token: str) -> str | None:
    """POST the token as ``logout_token=`` (§2.5). None when the service acknowledged it
    (200 or 204, §2.8); ``REFUSED`` when it answered that it could not sign the resident
    out (400); otherwise what went wrong, in a few words.

    The address is a partner's to set, so the region's servers go only where
    ``logout_address_problem`` allows, judged on what the name resolves to now (a name
    can be pointed anywhere after registration), and follow no redirect: a service
    acknowledges at the address it registered.
    """
    try:
        parts = urlsplit(uri)
        port = port_of(parts)
    except ValueError:  # a bracket never closed, a port past 65535: refused at registration
        return "not a web address"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not a web address"
    try:
        address = resolve(parts.hostname, port, rule=logout_address_problem)
    except RefusedAddress as refusal:
        return f"not sent: {refusal}"[:200]
    except OSError as error:
        return f"{NO_ANSWER}: {parts.hostname} could not be resolved ({error})"[:200]
    connection = pinned_connection(
        parts.scheme, parts.hostname, address, port, timeout=POST_TIMEOUT_SECONDS
    )
    try:
        connection.request(
            "POST",
            request_target(parts),
            body=urlencode({"logout_token": token}),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        status = connection.getresponse().status
    except (OSError, http.client.HTTPException) as error:
        return f"{NO_ANSWER}: {error}"[:200]
    finally:
        connection.close()
    if status == 400:
        return REFUSED
    return None if status in (200, 204) else f"HTTP {status}"


def retry_delay(attempts: int) -> datetime.timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    seconds = FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, LONGEST_RETRY_SECONDS))
