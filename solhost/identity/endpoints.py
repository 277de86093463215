"""django-oauth-toolkit's endpoints as the region serves them."""

import functools
import json

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from oauth2_provider import views as oauth
from oauth2_provider.models import AccessToken
from oauth2_provider.signals import app_authorized
from oauthlib.common import Request as OauthlibRequest

from solhost.core.reads import unique_match
from solhost.core.request_input import named_parameter_problems
from solhost.identity.databases import joinable
from solhost.identity.models import ServiceClient
from solhost.identity.oidc import OFFERED_GRANTS, access_token_in_site_store
from solhost.identity.subjects import subject_for


def refuse_unstorable_parameters(view):
    """Answers ``invalid_request``, naming the parameter, for a form parameter no database
    can hold (a NUL character, a lone surrogate). The site refuses those in addresses and
    headers before any view; these endpoints take bodies that no Django form checks, and
    PostgreSQL would fail on the first query that used one."""

    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        problems = named_parameter_problems(request.POST, "Parameter")
        if problems:
            where, problem = problems[0]
            return JsonResponse(
                {
                    "error": "invalid_request",
                    "error_description": f"{where} {problem}.",
                },
                status=400,
            )
        return view(request, *args, **kwargs)

    return guarded


@method_decorator(transaction.atomic, name="post")
class RegionTokenView(oauth.TokenView):
    """The token endpoint in one transaction: one commit per request (tokens, ID token,
    audit event, usage event and the spent code together), and the code's grant stays
    locked from its first read to that commit, so a code raced twice is redeemed once."""

    def post(self, request, *args, **kwargs):
        # RFC 6749 §5.2 for a grant the region does not offer, before DOT and oauthlib,
        # which would take the device-code grant to a flow of its own (a server error
        # without a ``device_code``) and the others to a client check.
        grant_type = request.POST.get("grant_type")
        if grant_type and grant_type not in OFFERED_GRANTS:
            return JsonResponse(
                {
                    "error": "unsupported_grant_type",
                    "error_description": f"The region's grants are {' and '.join(OFFERED_GRANTS)}.",
                },
                status=400,
                headers={"Cache-Control": "no-store"},
            )
        return self.authorization_flow_token_response(request)

    @method_decorator(sensitive_post_parameters("password", "client_secret"))
    def authorization_flow_token_response(self, request, *args, **kwargs):
        # DOT's own, except that the access token is read back for its app_authorized
        # signal only when something listens: nothing in the region does.
        if app_authorized.has_listeners(sender=self):
            return super().authorization_flow_token_response(request, *args, **kwargs)
        _url, headers, body, status = self.create_token_response(request)
        response = HttpResponse(content=body, status=status)
        for name, value in headers.items():
            response[name] = value
        return response


# As DOT's view is: a service posts here with its token, never with a browser's cookie.
@method_decorator(csrf_exempt, name="dispatch")
class RegionUserInfoView(oauth.UserInfoView):
    """Userinfo with the access token only in the Authorization header (RFC 9700 §4.3.2):
    a token in the address ends up in logs and browser history. DOT's
    COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT covers its protected resources, not this."""

    def dispatch(self, request, *args, **kwargs):
        if "access_token" in request.GET:
            response = JsonResponse(
                {
                    "error": "invalid_request",
                    "error_description": "Send the access token in the Authorization "
                    "header, never in the address.",
                },
                status=400,
            )
            response["WWW-Authenticate"] = 'Bearer error="invalid_request"'
            return response
        return super().dispatch(request, *args, **kwargs)


def bearer_token_client(request: HttpRequest) -> str | None:
    """The client the request's access token (``Authorization: Bearer``) was issued to."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    token = access_token_in_site_store(value.strip())
    return token.application.client_id if token is not None else None


# DOT exempts its view's dispatch from CSRF checks; this dispatch replaces that one. A
# service posts here with its secret, never with a browser's cookie.
@method_decorator(csrf_exempt, name="dispatch")
class RegionIntrospectTokenView(oauth.IntrospectTokenView):
    """Introspection of the caller's own tokens only (or, for a co-op's resource server the
    steward marked, its co-op's): a service learns nothing about the tokens another co-op's
    service holds, not even that they exist (RFC 7662 §4: answer ``active: false``), and
    the resident appears by a ``sub`` the caller's co-op was given.
    The caller authenticates as a confidential client (its secret), or with an access
    token that has the ``introspection`` scope, as django-oauth-toolkit allows."""

    # RFC 7662 §2.1: a POST, its parameters in the body. django-oauth-toolkit also answers
    # GET ?token=, and reads a client's secret from the address (RFC 6749 §2.3.1: never
    # there), where proxies and logs keep both; oauthlib refuses the address at the token
    # and revocation endpoints.
    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        self.caller = None  # a bearer token's application may be none
        if request.method != "POST":
            return self.http_method_not_allowed(request, *args, **kwargs)
        if request.GET:
            return JsonResponse(
                {
                    "error": "invalid_request",
                    "error_description": "Send the parameters in the body of the POST, "
                    "never in the address.",
                },
                status=400,
            )
        return super().dispatch(request, *args, **kwargs)

    def authenticate_client(self, request):
        # DOT's own check, keeping the client it authenticated. A public client has no
        # secret: its client_id alone, which anyone may know, proves nothing.
        core = self.get_oauthlib_core()
        oauth_request = OauthlibRequest(*core._extract_params(request))
        if not core.server.request_validator.authenticate_client(oauth_request):
            return False
        if oauth_request.client.client_type != ServiceClient.CLIENT_CONFIDENTIAL:
            return False
        self.caller = oauth_request.client
        return True

    def verify_request(self, request):
        valid, oauth_request = super().verify_request(request)
        if valid:
            self.caller = oauth_request.client
        return valid, oauth_request

    def get_token_response(self, token_value=None):
        if token_value is not None and not joinable(AccessToken, ServiceClient):
            response = _answer_from_a_site_store(token_value)
        else:
            response = super().get_token_response(token_value)
        answer = json.loads(response.content)
        if not answer.get("active"):
            return response
        issued_to = self._client_to_learn_about(answer.get("client_id"))
        if issued_to is None:
            return JsonResponse({"active": False})
        # The resident by a sub the caller's co-op holds (decision 0009), never the regional
        # username, which is the same at every co-op: the co-op's pairwise sub, or the
        # public one where both the caller and the token's client have it. A resource
        # server with the public sub would otherwise learn that of a resident who only
        # signed in to its co-op's pairwise services.
        public = ServiceClient.SubjectType.PUBLIC
        named_by = issued_to if self.caller.subject_type == public else self.caller
        username = answer.pop("username", None)
        if username is not None:
            user = get_user_model()._default_manager.get_by_natural_key(username)
            if not user.is_active:
                return JsonResponse({"active": False})
            answer["sub"] = subject_for(user, named_by)
        return JsonResponse(answer)

    def _client_to_learn_about(self, client_id) -> ServiceClient | None:
        """The client ``client_id`` names, if the caller may hear about a token issued to
        it: itself, or, for a resource server the steward marked, a service of the same
        co-op; otherwise None."""
        caller = self.caller
        if caller is None:
            return None
        if client_id == caller.client_id:
            return caller
        if not caller.introspects_its_coops_tokens or not isinstance(client_id, str):
            return None
        issued_to = unique_match(
            ServiceClient.objects.select_related("service").filter(client_id=client_id)
        )
        if issued_to is None or issued_to.service.organisation_id != caller.service.organisation_id:
            return None
        return issued_to


def _answer_from_a_site_store(token_value: str) -> JsonResponse:
    """django-oauth-toolkit's introspection answer, for a token kept in a site's store:
    its client and resident are read from the region's database, not joined to it."""
    token = access_token_in_site_store(token_value)
    if token is None or not token.is_valid():
        return JsonResponse({"active": False})
    data = {"active": True, "scope": token.scope, "exp": int(token.expires.timestamp())}
    if token.application_id is not None:
        data["client_id"] = token.application.client_id
    if token.user_id is not None:
        data["username"] = token.user.get_username()
    if token.resource:
        data["aud"] = token.resource
    return JsonResponse(data)
