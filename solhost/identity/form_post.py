"""OAuth 2.0 Form Post Response Mode for the authorization endpoint.

With ``response_mode=form_post`` the authorization response (code, state and iss, or
the error) reaches the service as a form the browser posts to its redirect URI, so the
code stays out of the service's address bar, history and access logs. A small script
sends the form at once; without JavaScript the resident presses its one button.
"""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from oauth2_provider.exceptions import OAuthToolkitError
from oauthlib.oauth2.rfc6749.errors import InvalidRequestError

from solhost.identity.models import ServiceClient

RESPONSE_MODES = ("query", "form_post")
# What an authorization response adds to the redirect URI (RFC 6749 §4.1.2 and
# §4.1.2.1, RFC 9207); anything else in its query is the service's own.
RESPONSE_PARAMETERS = ("code", "state", "iss", "error", "error_description", "error_uri")


def response_mode(request) -> str:
    return request.GET.get("response_mode") or "query"


class FormPostResponseMixin:
    """For an authorization view: every response DOT or the region sends through
    ``redirect()`` (codes, refusals, errors) becomes a form post when the request asks."""

    form_post_template_name = "identity/form_post.html"

    def validate_authorization_request(self, request):
        scopes, credentials = super().validate_authorization_request(request)
        if response_mode(request) not in RESPONSE_MODES:
            # The redirect URI is registered and checked by now, so the service hears of
            # it there (in the query: the mode it asked for is not one the region knows).
            raise OAuthToolkitError(
                error=InvalidRequestError(
                    description="response_mode must be query or form_post.",
                    state=credentials.get("state"),
                ),
                redirect_uri=credentials["redirect_uri"],
            )
        return scopes, credentials

    def redirect(self, redirect_to, application):
        response = super().redirect(redirect_to, application)  # refuses a disallowed scheme
        if response_mode(self.request) != "form_post":
            return response
        parts = urlsplit(response.url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        action = urlunsplit(
            parts._replace(
                query=urlencode([(k, v) for k, v in query if k not in RESPONSE_PARAMETERS]),
                fragment="",
            )
        )
        if isinstance(application, ServiceClient):
            service_name = application.service.name
        else:
            service_name = parts.hostname
        # Rendered through the view's render_to_response, which lets the page's
        # form-action reach redirect_uri's origin as it does for the consent form.
        self.template_name = self.form_post_template_name
        page = self.render_to_response(
            {
                "redirect_uri": action,
                "response_fields": [(k, v) for k, v in query if k in RESPONSE_PARAMETERS],
                "service_name": service_name,
            }
        )
        # The page holds a code: no cache, shared or the browser's own, keeps it.
        page["Cache-Control"] = "no-store"
        return page
