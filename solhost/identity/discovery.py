import json

from django.urls import reverse
from oauth2_provider.views import ConnectDiscoveryInfoView

from solhost.identity.assurance import ACR_VALUES
from solhost.identity.oidc import OFFERED_GRANTS


class DiscoveryView(ConnectDiscoveryInfoView):
    """DOT's discovery document, completed with what the region does and nothing it doesn't:
    relying parties pick their flow, algorithms and logout from it."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        for key, name in (
            ("revocation_endpoint", "revoke-token"),
            ("introspection_endpoint", "introspect"),
        ):
            data[key] = request.build_absolute_uri(reverse(f"oauth2_provider:{name}"))
        # A public client (no secret, PKCE) redeems its codes and revokes its tokens with
        # its client_id alone; only a confidential client may introspect.
        secrets = ["client_secret_basic", "client_secret_post"]
        data["token_endpoint_auth_methods_supported"] = [*secrets, "none"]
        data["revocation_endpoint_auth_methods_supported"] = [*secrets, "none"]
        data["introspection_endpoint_auth_methods_supported"] = secrets
        # Request objects are refused (views.RegionAuthorizationView); omitted, support for
        # request_uri would be the specification's default.
        data["request_parameter_supported"] = False
        data["request_uri_parameter_supported"] = False
        # Without these, the specification's defaults would claim the implicit grant.
        data["grant_types_supported"] = list(OFFERED_GRANTS)
        data["response_modes_supported"] = ["query", "form_post"]
        data["authorization_response_iss_parameter_supported"] = True  # RFC 9207
        data["backchannel_logout_supported"] = True
        data["backchannel_logout_session_supported"] = True
        data["frontchannel_logout_supported"] = True
        data["frontchannel_logout_session_supported"] = True
        data["acr_values_supported"] = list(ACR_VALUES)
        data["subject_types_supported"] = ["public", "pairwise"]
        data["claims_parameter_supported"] = True
        data["prompt_values_supported"] = ["none", "login", "consent", "select_account", "create"]
        data["claims_supported"] = sorted(
            {*data.get("claims_supported", []), "sid", "auth_time", "amr", "acr"}
        )
        # Only RSA keys are published: an HS256 ID token would be signed with a client's
        # secret, which the region stores hashed and so cannot use.
        data["id_token_signing_alg_values_supported"] = ["RS256"]
        response.content = json.dumps(data)
        return response
