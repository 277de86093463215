"""Each site's signing keys: published in the region's JWKS, and proving its forwarded batches.

A site signs ID tokens with its own key ring (``SOLHOST_OIDC_KEY_DIR``); no site holds
another's private key. The steward registers each site's *public* keys at the primary
(``solhost sites add``), and the ``Site`` rows reach every site by replication.
"""

import json
import time

from django.conf import settings
from jwcrypto import jwk, jws, jwt
from jwcrypto.common import JWException

from solhost.identity import jwks
from solhost.identity.signing_keys import KeyFile
from solhost.sites.models import Site

# What a forwarded batch is for, so no other token of a site's can pass for one.
FORWARD_AUDIENCE = "solhost:sites:forward"
# A batch of this kind carries the site's published keys, not events.
KEYS_KIND = "keys"
BATCH_SECONDS = 300


def own_public_keys() -> dict:
    """This installation's published keys (the active one first), as a JWKS to register."""
    return {"keys": jwks.own_public_keys()}


def own_site() -> Site | None:
    """This installation's row among the sites the region registered, as its database shows
    it (a replica site's standby), if it has one."""
    return Site.objects.filter(name=settings.SOLHOST_SITE, removed_at=None).first()


def registered_as_published(site: Site) -> bool:
    """Whether ``site`` (this installation's row) registers exactly the keys it publishes."""
    return {key["kid"] for key in jwks.own_public_keys()} == set(site.kids())


def registered_sites_keys(sender, **kwargs) -> list[dict]:
    """Receiver of ``identity.jwks.published_keys``: every registered site's keys.

    Nothing in a region of one site, so its JWKS stays exactly its own key ring.
    """
    if not settings.SOLHOST_SITE:
        return []
    return [key for site in Site.objects.filter(removed_at=None) for key in site.public_keys()]


# More than a site ever publishes at once (its signing key, the next, the one before).
MOST_KEYS = 10


def parse_public_keys(raw: str) -> dict:
    """A site's JWKS as ``solhost sites keys`` prints it, checked to hold public keys only."""
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise ValueError(f"not JSON: {error}") from error
    return checked_public_keys(data.get("keys") if isinstance(data, dict) else None)


def checked_public_keys(keys) -> dict:
    """``keys`` as a JWKS to register, once each is an RSA public key named by its thumbprint;
    else ValueError saying which is not."""
    if not isinstance(keys, list) or not keys or len(keys) > MOST_KEYS:
        raise ValueError(
            f'expected {{"keys": [...]}} with 1 to {MOST_KEYS} keys, as `solhost sites keys` '
            "prints it"
        )
    for index, key in enumerate(keys):
        if not isinstance(key, dict) or key.get("kty") != "RSA" or not key.get("kid"):
            raise ValueError(f"keys[{index}] must be an RSA public key with its kid")
        if "d" in key or "p" in key:
            raise ValueError(f"keys[{index}] is a private key: register only the public keys")
        try:
            thumbprint = jwk.JWK(**key).thumbprint()
        except (JWException, ValueError, TypeError) as error:
            raise ValueError(f"keys[{index}] is not a usable RSA key: {error}") from error
        if thumbprint != key["kid"]:
            raise ValueError(f"keys[{index}] ({key['kid']}): its kid is not its thumbprint")
    return {"keys": keys}


class BadBatch(ValueError):
    """A forwarded batch that no active site signed, or not for forwarding, or expired."""


def sign_batch(payload: dict, *, now: float | None = None, key: jwk.JWK | None = None) -> str:
    """The batch as a JWS compact token, signed with ``key``: this site's active key unless
    given one of its other published keys."""
    now = time.time() if now is None else now
    key = key or jwks.signing_key()
    claims = {
        **payload,
        "iss": settings.SOLHOST_SITE,
        "aud": FORWARD_AUDIENCE,
        "iat": int(now),
        "exp": int(now) + BATCH_SECONDS,
    }
    token = jwt.JWT(header={"alg": "RS256", "kid": key.thumbprint()}, claims=json.dumps(claims))
    token.make_signed_token(key)
    return token.serialize()


def verify_batch(token: str, *, now: float | None = None) -> tuple[Site, dict, str]:
    """The active site whose key signed ``token``, its claims, and that key's kid; else
    ``BadBatch``."""
    now = time.time() if now is None else now
    try:
        header = jws.JWS()
        header.deserialize(token)
        kid = header.jose_header.get("kid")
    except (JWException, ValueError) as error:
        raise BadBatch(f"not a signed batch: {error}") from error
    if not isinstance(kid, str) or not kid:
        raise BadBatch("the batch names no key (kid)")
    site = next((site for site in Site.objects.filter(removed_at=None) if kid in site.kids()), None)
    if site is None:
        raise BadBatch("no site of the region signs with this key")
    public = next(key for key in site.public_keys() if key.get("kid") == kid)
    try:
        checked = jwt.JWT(
            jwt=token,
            key=jwk.JWK(**public),
            algs=["RS256"],
            check_claims=False,
            expected_type="JWS",
        )
        claims = json.loads(checked.claims)
    except (JWException, ValueError) as error:
        raise BadBatch(f"the signature does not verify: {error}") from error
    if claims.get("iss") != site.name:
        raise BadBatch(f"the batch says it is from {claims.get('iss')!r}, signed by {site.name}")
    if claims.get("aud") != FORWARD_AUDIENCE:
        raise BadBatch("the token is not a forwarded batch")
    if not isinstance(claims.get("exp"), int) or claims["exp"] < now:
        raise BadBatch("the batch has expired")
    return site, claims, kid


def key_announcement(*, now: float | None = None) -> str | None:
    """At a site whose published keys differ from those the primary registered for it (as
    its standby shows them): a batch announcing them, for the primary to register in their
    place. None when they agree, or when no key the primary knows is left to sign it with.

    A rotation publishes its new key a notice period before the key signs, so the batch is
    signed with the key that signs now, which the primary knows: the new key reaches every
    site's JWKS before its first token, with no one registering it by hand.

    A site cut off all through the notice period signs with the key before
    (``announcing_key``). The primary keeps a signer registered (``receiving.receive_keys``),
    so one no longer published is announced too, and the next forward, signed then with
    the new key, takes it out.
    """
    registered = own_site()
    if registered is None or registered_as_published(registered):
        return None
    signer = announcing_key(registered)
    if signer is None:
        return None
    announced = jwks.key_ring().published()
    if signer not in announced:
        announced.append(signer)
    return sign_batch(
        {"kind": KEYS_KIND, "keys": [key.public_jwk for key in announced]},
        now=now,
        key=signer.private_jwk,
    )


def announcing_key(registered: Site) -> KeyFile | None:
    """This site's key that the primary has ``registered``, to sign an announcement with:
    the one that signs if the primary knows it, else the next one, else one retired, still
    published for the hour its ID tokens last or kept after that to read services' hints
    (as long as a refresh token lives). None when the site holds none of them: its keys
    were withdrawn, or it was cut off for longer; then the steward registers them by hand.
    """
    known = set(registered.kids())
    return next((key for key, _ in jwks.key_ring().roles() if key.public_jwk["kid"] in known), None)
