"""The region's JWKS lists every registered site's keys, and drops a removed site's."""

from django.utils import timezone
from jwcrypto import jwk

from solhost.sites.models import Site


def _site_key() -> dict:
    key = jwk.JWK.generate(kty="RSA", size=2048)
    return {
        "alg": "RS256",
        "use": "sig",
        "kid": key.thumbprint(),
        **key.export_public(as_dict=True),
    }


def _kids(client) -> list[str]:
    return [key["kid"] for key in client.get("/.well-known/jwks.json").json()["keys"]]


def test_a_one_site_region_publishes_its_own_keys_alone(client, db, django_assert_num_queries):
    Site.objects.create(name="hill", jwks={"keys": [_site_key()]}, keys_updated_at=timezone.now())
    with django_assert_num_queries(0):
        assert len(_kids(client)) == 1


def test_every_sites_key_is_published_until_the_site_is_removed(client, db, settings):
    settings.SOLHOST_SITE = "main"
    own = _kids(client)
    hill_key = _site_key()
    hill = Site.objects.create(
        name="hill", jwks={"keys": [hill_key]}, keys_updated_at=timezone.now()
    )
    assert _kids(client) == [*own, hill_key["kid"]]
    hill.removed_at = timezone.now()
    hill.save()
    assert _kids(client) == own
