from django.urls import path
from oauth2_provider import views as oauth

from solhost.identity import views
from solhost.identity.cors import allow_browser_apps, client_in_body
from solhost.identity.discovery import DiscoveryView
from solhost.identity.endpoints import (
    RegionIntrospectTokenView,
    RegionTokenView,
    RegionUserInfoView,
    bearer_token_client,
    refuse_unstorable_parameters,
)
from solhost.identity.jwks import RegionJwksView
from solhost.identity.logout import RegionLogoutView

app_name = "identity"

# DOT's views under its own top-level namespace (solhost/urls.py includes them), which it reverses to build discovery and the issuer.
# Discovery at the site root makes the site's origin the region's one issuer.
provider_patterns = (
    [
        path(
            ".well-known/openid-configuration",
            DiscoveryView.as_view(),
            name="oidc-connect-discovery-info",
        ),
        # The same document for OAuth clients that read RFC 8414's address instead.
        path(
            ".well-known/oauth-authorization-server",
            DiscoveryView.as_view(),
            name="authorization-server-metadata",
        ),
        path(".well-known/jwks.json", RegionJwksView.as_view(), name="jwks-info"),
        path("oidc/authorize/", views.RegionAuthorizationView.as_view(), name="authorize"),
        # Browser apps (public clients) call these three from their own origin.
        # Services post to these four bodies that no Django form checks.
        path(
            "oidc/token/",
            allow_browser_apps(
                refuse_unstorable_parameters(RegionTokenView.as_view()), client_of=client_in_body
            ),
            name="token",
        ),
        path(
            "oidc/userinfo/",
            allow_browser_apps(
                refuse_unstorable_parameters(RegionUserInfoView.as_view()),
                client_of=bearer_token_client,
            ),
            name="user-info",
        ),
        path(
            "oidc/revoke/",
            allow_browser_apps(
                refuse_unstorable_parameters(oauth.RevokeTokenView.as_view()),
                client_of=client_in_body,
            ),
            name="revoke-token",
        ),
        path(
            "oidc/introspect/",
            refuse_unstorable_parameters(RegionIntrospectTokenView.as_view()),
            name="introspect",
        ),
        path("oidc/logout/", RegionLogoutView.as_view(), name="rp-initiated-logout"),
    ],
    "oauth2_provider",
)

urlpatterns = [
    # Ahead of allauth's own views at these addresses, which the site's forms and links
    # reach by allauth's names for them.
    path("accounts/logout/", views.SignOutView.as_view(), name="sign_out"),
    path("accounts/signup/", views.RegionSignupView.as_view(), name="sign_up"),
    path("accounts/signed-out/", views.signed_out, name="signed_out"),
    path("accounts/connected/", views.connected, name="connected"),
    path(
        "accounts/connected/services/<int:client_id>/disconnect/",
        views.disconnect,
        name="disconnect",
    ),
    path(
        "accounts/connected/sessions/<int:session_id>/end/", views.end_session, name="end_session"
    ),
    path(
        "manage/<slug:slug>/services/<slug:service_slug>/clients/",
        views.service_clients,
        name="service_clients",
    ),
    path(
        "manage/<slug:slug>/services/<slug:service_slug>/clients/<int:client_pk>/",
        views.service_client,
        name="service_client",
    ),
    path(
        "manage/<slug:slug>/services/<slug:service_slug>/clients/<int:client_pk>/secret/",
        views.new_client_secret,
        name="new_client_secret",
    ),
    path(
        "manage/<slug:slug>/services/<slug:service_slug>/clients/<int:client_pk>/remove/",
        views.remove_client,
        name="remove_client",
    ),
]
