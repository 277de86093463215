"""The region's JSON Web Key Set: this site's signing keys and those it is told of, and
the one check that a token was signed with one of them.

A region of several sites signs at each site with that site's own key, and every site's
JWKS lists all of them, so an ID token from any site verifies wherever a service fetches
the keys (docs/decisions/0012-sites.md). Identity does not know where the other keys
come from: receivers of ``published_keys`` answer lists of public JWKs.
"""

import datetime
import functools
import json
from pathlib import Path

from django.conf import settings
from django.dispatch import Signal
from django.utils import timezone
from jwcrypto import jwk, jws, jwt
from jwcrypto.common import JWException
from oauth2_provider.views import JwksInfoView

from solhost.identity.signing_keys import KeyRing, KeyRingReader

# Sent with no arguments each time the region's keys are read; a receiver answers a list
# of public keys (dicts with ``kid``) to publish beside this site's own.
published_keys = Signal()


def key_ring() -> KeyRing:
    """This site's signing keys as they stand now: a rotation, or a new key's time
    coming, reaches every process without a restart."""
    reader = _reader(
        Path(settings.OIDC_KEY_DIR), settings.OIDC_ID_TOKEN_SECONDS, settings.OIDC_HINT_KEY_SECONDS
    )
    return reader.ring(now=timezone.now())


@functools.cache
def _reader(directory: Path, keep_seconds: int, hints_keep_seconds: int) -> KeyRingReader:
    return KeyRingReader(
        directory,
        keep=datetime.timedelta(seconds=keep_seconds),
        hints_keep=datetime.timedelta(seconds=hints_keep_seconds),
    )


def signing_key() -> jwk.JWK:
    """The private key this site signs its tokens with now."""
    return key_ring().active.private_jwk


def own_key_for(token: str) -> jwk.JWK | None:
    """The published key of this site's that the token's header names (a rotation may
    have begun since it was signed); None for anything else. Its signature is not checked."""
    try:
        header = jws.JWS()
        header.deserialize(token)
        kid = header.jose_header.get("kid")
    except (JWException, ValueError, TypeError):
        return None
    key = key_ring().published_key(kid) if isinstance(kid, str) else None
    return key.private_jwk if key else None


def own_public_keys() -> list[dict]:
    """This installation's published keys as public JWKs: the active one first, then the
    one a rotation has added and not yet set signing, then those it retired and still
    publishes."""
    return [key.public_jwk for key in key_ring().published()]


def region_public_keys() -> list[dict]:
    """Every key an ID token of the region may be signed with, each once: this site's
    own, and those the region publishes beside them."""
    keys = own_public_keys()
    known = {key["kid"] for key in keys}
    for _, others in published_keys.send(sender=None):
        for key in others or []:
            if key.get("kid") not in known:
                keys.append(key)
                known.add(key.get("kid"))
    return keys


def region_signed_claims(token: str) -> dict | None:
    """The claims of ``token`` if the region signed it (at any site, with any key it
    publishes, or with a key this site retired and still reads hints with), expired or
    not; None for anything else."""
    hint_checking = [key.public_jwk for key in key_ring().hint_checking]
    keys = jwk.JWKSet.from_json(json.dumps({"keys": region_public_keys() + hint_checking}))
    try:
        # No claim is checked here (exp and nbf included): the caller judges them.
        claims = json.loads(jwt.JWT(jwt=token, key=keys, check_claims={}).claims)
    except (JWException, ValueError, TypeError):
        return None
    return claims if isinstance(claims, dict) else None


def id_token_hint_claims(hint: str, *, issuer: str) -> dict | None:
    """The claims of an ``id_token_hint`` the region issued (its signature, at any site
    and with any key the region publishes, and its ``iss``), expired or not, as a hint
    proves nothing and only names; ``aud`` always as a list. None for any other text."""
    claims = region_signed_claims(hint)
    if claims is None or claims.get("iss") != issuer:
        return None
    audience = claims.get("aud")
    listed = audience if isinstance(audience, list) else [audience]
    claims["aud"] = [client_id for client_id in listed if isinstance(client_id, str)]
    return claims


class RegionJwksView(JwksInfoView):
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)  # its caching and CORS headers
        response.content = json.dumps({"keys": region_public_keys()})
        return response
