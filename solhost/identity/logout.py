"""RP-initiated logout that ends only what the ID token shows: this browser's session.

django-oauth-toolkit's view signs out without a word whenever no one is signed in or the
hint names the signed-in resident, and then revokes that resident's tokens at every
service: anyone holding one of their ID tokens (they travel in URLs) could sign them out
everywhere. Here a service's request ends the browser's session only when its
``id_token_hint`` belongs to that very session (its ``sid``, or for a token without one,
its resident); otherwise the resident is asked, on a page with a plain form. Ending the
session revokes what each service was given in it, except ``offline_access`` tokens, and
nothing from the resident's other browsers (``actions.record_logout``); the services learn
of it by back-channel logout (``backchannel``), and those that take front-channel logout on
the page the browser passes through (``frontchannel``).
"""

from dataclasses import dataclass

from django.contrib.auth import logout
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from oauth2_provider.exceptions import (
    ClientIdMissmatch,
    InvalidIDTokenError,
    InvalidOIDCClientError,
    InvalidOIDCRedirectURIError,
    LogoutDenied,
)
from oauth2_provider.http import OAuth2ResponseRedirect
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views import RPInitiatedLogoutView
from oauthlib.common import add_params_to_uri

from solhost.core.middleware import allow_form_to_reach, refusal
from solhost.core.reads import unique_match
from solhost.identity import actions, frontchannel
from solhost.identity.jwks import id_token_hint_claims
from solhost.identity.models import ServiceClient, SignedInSession, User
from solhost.identity.service_posts import seen_again_as_get, sent_by_a_service
from solhost.identity.subjects import session_sid_behind, user_for_subject


@dataclass(frozen=True)
class _Hint:
    """What django-oauth-toolkit reads of a logout request's ID token: its service, and
    the resident it names there (None if none is known by that ``sub``)."""

    application: ServiceClient
    user: User | None


# The endpoint checks CSRF itself, on the region's confirmation form only, not on a
# service's request (service_posts).
@method_decorator(csrf_exempt, name="dispatch")
class RegionLogoutView(RPInitiatedLogoutView):
    template_name = "identity/logout_confirm.html"

    def dispatch(self, request, *args, **kwargs):
        if sent_by_a_service(request):
            answer = seen_again_as_get(request, what="sign-out request")
            if isinstance(answer, str):
                return refusal(request, 400, [("request", answer)])
            return answer
        self.hint_sid = None
        self.hint_client = None
        return csrf_protect(super().dispatch)(request, *args, **kwargs)

    def validate_logout_request_user(self, id_token_hint, client_id):
        # Judged as at the authorization endpoint (jwks.id_token_hint_claims): DOT's own
        # check trusts only this site's current key and a stored ID token row, so a
        # service's token from before a key rotation, or issued at another site of the
        # region, could not have signed the resident out.
        if not id_token_hint:
            return None
        claims = id_token_hint_claims(
            id_token_hint, issuer=oauth2_settings.oidc_issuer(self.request)
        )
        if claims is None:
            raise InvalidIDTokenError()
        client = unique_match(ServiceClient.objects.filter(client_id__in=claims["aud"][:1]))
        if client is None or not client.approved:
            raise InvalidIDTokenError()
        if client_id and client.client_id != client_id:
            raise ClientIdMissmatch()
        sid, sub = claims.get("sid"), claims.get("sub")
        self.hint_sid = sid if isinstance(sid, str) else None
        self.hint_client = client
        return _Hint(
            application=client,
            user=user_for_subject(sub, client) if isinstance(sub, str) else None,
        )

    def validate_post_logout_redirect_uri(self, application, post_logout_redirect_uri):
        try:
            super().validate_post_logout_redirect_uri(application, post_logout_redirect_uri)
        except ValueError:
            # urllib can't read it (``http://[x/``), so no client registered it.
            raise InvalidOIDCRedirectURIError(
                "This client does not have this redirect uri registered."
            ) from None

    def get_request_application(self, id_token, client_id):
        try:
            client = super().get_request_application(id_token, client_id)
        except ServiceClient.DoesNotExist:
            raise InvalidOIDCClientError() from None
        # An unapproved client is unknown here as everywhere in the protocol: its
        # addresses after sign-out are not the region's to send anyone to.
        if client is not None and not client.approved:
            raise InvalidOIDCClientError()
        return client

    def hint_is_this_session(self, token_user) -> bool:
        """The ID token was issued to this browser's session (or, without a ``sid``, to
        the resident signed in here)."""
        user = self.request.user
        if token_user is None or not user.is_authenticated or token_user.pk != user.pk:
            return False
        if self.hint_sid is None:
            return True
        # The hint names the session as its client's co-op saw it (subjects.sid_for).
        sid = session_sid_behind(self.hint_sid, self.hint_client)
        if sid is None:
            return False
        return SignedInSession.objects.filter(
            user=user, sid=sid, session_key=self.request.session.session_key
        ).exists()

    def must_prompt(self, token_user) -> bool:
        # Also with no one signed in: the page says so, and nothing happens unasked.
        return not self.hint_is_this_session(token_user)

    def do_logout(
        self, application=None, post_logout_redirect_uri=None, state=None, token_user=None
    ):
        user = self.request.user
        frames = []
        if user.is_authenticated:
            if application is not None and self.hint_is_this_session(token_user):
                actions.sign_out_for_service(user=user, client=application)
            frames = frontchannel.frames_due(self.request)
            # Services are told by back-channel logout (signals.on_logout).
            logout(self.request)
        if post_logout_redirect_uri:
            if state:
                post_logout_redirect_uri = add_params_to_uri(
                    post_logout_redirect_uri, [("state", state)]
                )
            # Built first all the same: it refuses a scheme the client may not use.
            response = OAuth2ResponseRedirect(
                post_logout_redirect_uri, application.get_allowed_schemes()
            )
            service = application.service.name
        else:
            response = OAuth2ResponseRedirect(
                self.request.build_absolute_uri("/"),
                oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES,
            )
            service = ""
        if not frames:
            return response
        # The browser goes on from the page that signs it out of those services.
        return frontchannel.to_signed_out_page(
            self.request, frames, continue_to=response.url, service=service
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        client = kwargs.get("application")
        if isinstance(client, ServiceClient):
            context["service"] = client.service
        return context

    def error_response(self, error):
        if isinstance(error, LogoutDenied):
            # The resident chose to stay signed in: an answer, not a bad request.
            context = {"error": error}
            if self.hint_client is not None:
                context["service"] = self.hint_client.service
            return self.render_to_response(context)
        return super().error_response(error)

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if "error" not in context:
            allow_form_to_reach(response, self.oidc_data.get("post_logout_redirect_uri") or "")
        return response
