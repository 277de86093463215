"""The region's JSON Web Key Set: this site's signing keys and those it is told of.

A region of several sites signs at each site with that site's own key, and every site's
JWKS lists all of them, so an ID token from any site verifies wherever a service fetches
the keys (docs/decisions/0012-sites.md). Identity does not know where the other keys
come from: receivers of ``published_keys`` answer lists of public JWKs.
"""

import json

from django.dispatch import Signal
from oauth2_provider.views import JwksInfoView

# Sent with no arguments each time the JWKS is served; a receiver answers a list of
# public keys (dicts with ``kid``) to publish beside this site's own.
published_keys = Signal()


class RegionJwksView(JwksInfoView):
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        others = [key for _, keys in published_keys.send(sender=None) for key in keys or []]
        if not others:
            return response
        data = json.loads(response.content)
        known = {key["kid"] for key in data["keys"]}
        for key in others:
            if key.get("kid") not in known:
                data["keys"].append(key)
                known.add(key["kid"])
        response.content = json.dumps(data)
        return response
