import json

from django.urls import reverse
from oauth2_provider.views import ConnectDiscoveryInfoView


class DiscoveryView(ConnectDiscoveryInfoView):
    """DOT's discovery document, also naming the revocation and introspection endpoints."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        for key, name in (
            ("revocation_endpoint", "revoke-token"),
            ("introspection_endpoint", "introspect"),
        ):
            data[key] = request.build_absolute_uri(reverse(f"oauth2_provider:{name}"))
        data["revocation_endpoint_auth_methods_supported"] = data[
            "token_endpoint_auth_methods_supported"
        ]
        data["claims_parameter_supported"] = False
        response.content = json.dumps(data)
        return response
