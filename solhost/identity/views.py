"""The provider's pages: consent at sign-in, a resident's connected services and sessions,
and a partner's OpenID Connect clients for each service."""

import functools
import json
import re
from collections.abc import Callable
from urllib.parse import urlencode

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.views import LogoutView, SignupView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from oauth2_provider.exceptions import FatalClientError, OAuthToolkitError
from oauth2_provider.models import Grant
from oauth2_provider.oauth2_backends import _add_iss_to_redirect
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views import AuthorizationView

from solhost.core.audit import AuditAction, admin_action
from solhost.core.forms import submit
from solhost.core.middleware import allow_form_to_reach, allow_frames_from, refusal
from solhost.core.problems import InputProblems
from solhost.core.reads import unique_match
from solhost.core.request_input import named_parameter_problems
from solhost.core.safe_json import load_json, whole_number
from solhost.core.trail import trail
from solhost.identity import actions, frontchannel
from solhost.identity.assurance import ACR_VALUES
from solhost.identity.claims import (
    SESSION_CLAIMS,
    asks_for_multi_factor,
    has_second_factor,
    meets_essential_acr,
    meets_no_level_asked_for,
    requested_subject,
)
from solhost.identity.databases import at_replica_site
from solhost.identity.form_post import FormPostResponseMixin
from solhost.identity.forms import ClientAddressesForm, ClientForm, login_hint_in
from solhost.identity.jwks import id_token_hint_claims
from solhost.identity.models import Consent, ServiceClient, SignedInSession
from solhost.identity.oidc import (
    SCOPE_CLAIMS,
    not_a_resource_indicator,
    sign_in_refused,
    unusable_resource,
)
from solhost.identity.queries import (
    DELIVERY_DAYS,
    client_asking,
    connected_services,
    knows_of,
    logout_deliveries,
    unexpired_sessions,
)
from solhost.identity.service_posts import seen_again_as_get, sent_by_a_service
from solhost.identity.sessions import current_signed_in_session, snapshot_of
from solhost.identity.subjects import subject_for
from solhost.partners.models import Service
from solhost.partners.permissions import may_act_for, organisation_for_user


def trust_facts(client: ServiceClient) -> dict:
    service = client.service
    return {
        "service": service,
        "organisation": service.organisation,
        "localities": sorted({s.locality or s.name for s in service.servers.all()}),
    }


# The longest nonce a code can carry (django-oauth-toolkit's column).
NONCE_LENGTH = Grant._meta.get_field("nonce").max_length
# BASE64URL(SHA256(code_verifier)), RFC 7636 §4.2: 32 bytes are 43 characters unpadded.
S256_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")


def _authenticated_too_long_ago(request: HttpRequest, signed_in: SignedInSession | None) -> bool:
    """The request's max_age (seconds) has passed since this browser last proved who it is.

    Judged per session: another browser signing in since proves nothing about this one.
    """
    max_age = whole_number(request.GET.get("max_age", ""))
    if max_age is None or not request.user.is_authenticated:
        return False
    last = signed_in.authenticated_at if signed_in is not None else None
    # Compared as seconds: a timedelta can't hold a max_age of 10**20, which any sign-in meets.
    return last is None or (timezone.now() - last).total_seconds() > max_age


def _without_prompt(request: HttpRequest, *answered: str) -> str:
    """The authorization request to come back to once the resident has answered the
    ``answered`` prompts (proved themselves for ``login``, chosen an account for
    ``select_account``): without them, so that they are not asked again, and with any
    other the service sent.

    Proving themselves answers ``max_age`` too, which goes as well: judged again on the
    way back, a ``max_age`` of 0 (Core §3.1.2.1: the same as ``prompt=login``) would find
    the proof a moment old and ask again, for ever. The ID token's ``auth_time`` still
    tells the service when it was."""
    query = request.GET.copy()
    prompt = [value for value in query.get("prompt", "").split() if value not in answered]
    if prompt:
        query["prompt"] = " ".join(prompt)
    else:
        query.pop("prompt", None)
    if "login" in answered:
        query.pop("max_age", None)
    return f"{request.path}?{query.urlencode()}"


def _asks_about_someone_else(request: HttpRequest, client: ServiceClient, claims) -> bool:
    """The request names a resident other than the one signed in here, by ``sub`` as
    ``client`` knows them: in its ``id_token_hint`` (or the hint is no ID token the region
    issued to ``client``), or as the ``claims`` parameter's ``sub`` value.

    A hint counts expired or not, and signed at any site with any key the region
    publishes: it proves nothing, and may well be older than the service's last sign-in."""
    wanted = requested_subject(claims)
    hint = request.GET.get("id_token_hint")
    if wanted is None and not hint:
        return False
    subject = subject_for(request.user, client)
    if wanted is not None and wanted != subject:
        return True
    if not hint:
        return False
    named = id_token_hint_claims(hint, issuer=oauth2_settings.oidc_issuer(request))
    return named is None or client.client_id not in named["aud"] or named.get("sub") != subject


def _code_parameter_problem(parameters) -> str | None:
    """What in an authorization request's ``parameters`` the code can't carry, or None.

    oauthlib takes a missing PKCE method as "plain", which the region does not accept, and
    lets a method through unread when there is no challenge, and a challenge of any length;
    DOT then stores all three, like the nonce, in columns of fixed length, which PostgreSQL
    holds to.
    """
    method = parameters.get("code_challenge_method") or ""
    challenge = parameters.get("code_challenge") or ""
    if (challenge or method) and method != "S256":
        return "code_challenge_method must be S256."
    if challenge and not S256_CHALLENGE.fullmatch(challenge):
        return (
            "code_challenge must be the SHA-256 of the code_verifier in base64url without padding: "
            "43 characters (RFC 7636 §4.2)."
        )
    if len(parameters.get("nonce") or "") > NONCE_LENGTH:
        return f"nonce must be at most {NONCE_LENGTH} characters."
    return None


def _claims_parameter(raw) -> dict:
    """The request's ``claims`` parameter as a dict: the consent form sends it back as JSON
    text (``null`` when there was none). oauthlib refused a malformed one in the request,
    but the form comes from the browser: read as any JSON from outside is, so that one
    nested thousands deep is none rather than a server error."""
    if isinstance(raw, str):
        try:
            raw = load_json(raw)
        except InputProblems:
            raw = None
    return raw if isinstance(raw, dict) else {}


# allauth's second-factor proofs, the security key first: allauth lists its code form first,
# where a resident with a key and nothing else could only spend a recovery code (made with
# the key). The page of either links to the other.
_SECOND_FACTOR_PROOFS = ("mfa_reauthenticate:webauthn", "mfa_reauthenticate")


def _second_factor_url(user) -> str | None:
    """Where the resident proves a second factor they have set up (allauth), if any."""
    urls = {m["id"]: m["url"] for m in get_account_adapter().get_reauthentication_methods(user)}
    return next((urls[proof] for proof in _SECOND_FACTOR_PROOFS if proof in urls), None)


# The endpoint checks CSRF itself, on the consent form only, not on a service's request
# (service_posts).
@method_decorator(csrf_exempt, name="dispatch")
class RegionAuthorizationView(FormPostResponseMixin, AuthorizationView):
    """DOT's authorization endpoint, with the region's consent, approval and max_age rules."""

    template_name = "identity/authorize.html"

    def dispatch(self, request, *args, **kwargs):
        problems = named_parameter_problems(request.POST, "form field")
        if problems:
            # Text no database can hold (a NUL character): checked here, as the site checks
            # query strings before any view, for the form fields no Django form reads.
            return refusal(request, 400, problems)
        if sent_by_a_service(request):
            # No consent form lacks the token, so a forged "allow" is only ever a request
            # to be asked.
            answer = seen_again_as_get(request, what="sign-in request")
            return self._refused_here(answer) if isinstance(answer, str) else answer
        return csrf_protect(super().dispatch)(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        client = self._requested_client()
        if client is not None and not client.approved:
            return render(
                request, "identity/client_not_approved.html", {"client": client}, status=403
            )
        if "openid" in request.GET.get("scope", "").split() and not request.GET.get("redirect_uri"):
            # OpenID Connect Core §3.1.2.1 requires it, even from a client with one
            # registered address; without it there is nowhere checked to send an answer.
            return self._refused_here(
                "The service's sign-in request has no redirect_uri, which OpenID Connect requires."
            )
        request.service_client = client  # oauthlib's validation reuses it (RegionOAuthLibCore)
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return self._authorization_error(error, client)
        problem = _code_parameter_problem(request.GET)
        if problem is not None:
            return self._error_redirect(credentials, "invalid_request", client, problem)
        for parameter in ("request", "request_uri"):
            if parameter in request.GET:
                # OpenID Connect Core §6: refused rather than ignored, or the service would
                # believe that what its request object asked for (max_age, acr_values,
                # claims) had been applied.
                return self._error_redirect(
                    credentials,
                    f"{parameter}_not_supported",
                    client,
                    f"The region does not take {parameter}: send the request's parameters "
                    "in the query.",
                )
        resources = request.GET.getlist("resource")
        unusable = unusable_resource(resources)
        if unusable is not None:
            return self._error_redirect(
                credentials, "invalid_target", client, not_a_resource_indicator(unusable)
            )
        if resources:
            # The code is for these APIs alone (RFC 8707 §2.1) whether or not the resident
            # is asked to agree: DOT adds them to its own consent path only.
            credentials["resource"] = resources
        if _asks_about_someone_else(request, client, credentials.get("claims")):
            # OpenID Connect Core §3.1.2.1: a code for whoever is signed in here would
            # answer a question the service did not ask.
            return self._error_redirect(
                credentials,
                "login_required",
                client,
                "The request names someone other than the resident signed in.",
            )
        prompt = set(request.GET.get("prompt", "").split())
        refused = sign_in_refused(
            user=request.user, service=client.service, day=timezone.localdate()
        )
        if refused:
            if "none" in prompt:
                return self._error_redirect(credentials, "access_denied", client, refused)
            return self._refused_page(client, refused)
        if "select_account" in prompt:
            return self._account_choice(request, scopes, credentials, client)
        signed_in = self._signed_in_session()
        if "login" in prompt or _authenticated_too_long_ago(request, signed_in):
            if "none" in prompt:
                return self._error_redirect(credentials, "login_required", client)
            # Proving it again keeps the browser's session, so its sid and the services
            # signed in with it stay as they are.
            next_url = urlencode({"next": _without_prompt(request, "login")})
            return redirect(f"{reverse('account_reauthenticate')}?{next_url}")
        if meets_no_level_asked_for(credentials.get("claims")):
            # OpenID Connect Core §5.5.1.1: an essential acr the region can't meet is a
            # failed sign-in, not an ID token stating a level the service didn't accept.
            return self._error_redirect(
                credentials,
                "unmet_authentication_requirements",
                client,
                f"The region's acr values are {' and '.join(ACR_VALUES)}.",
            )
        if asks_for_multi_factor(
            request.GET.get("acr_values", ""), credentials.get("claims")
        ) and not has_second_factor(signed_in.amr if signed_in is not None else []):
            return self._step_up(request, credentials, client, prompt)
        if "consent" not in prompt:
            consent = unique_match(Consent.objects.filter(user=request.user, client=client))
            if consent is not None and consent.covers(scopes):
                try:
                    uri, _headers, _body, _status = self.create_authorization_response(
                        request=request,
                        scopes=" ".join(scopes),
                        credentials=credentials,
                        allow=True,
                    )
                except OAuthToolkitError as error:
                    return self.error_response(error, client)
                return self.redirect(uri, client)
            if "none" in prompt:
                return self._error_redirect(credentials, "consent_required", client)
        # django-oauth-toolkit's own approval_prompt=auto would skip the page for any live
        # token, prompt=consent too: the region asks by its consent records, above.
        if "approval_prompt" in request.GET:
            request.GET = request.GET.copy()
            del request.GET["approval_prompt"]
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        # The consent form may have been shown before the service stopped taking people in.
        client = (
            ServiceClient.objects.select_related("service__organisation")
            .filter(client_id=request.POST.get("client_id", ""))
            .first()
        )
        if client is None:
            # Only a form this page did not make names no client the region knows.
            return self._refused_here("The consent form names no registered service.")
        refused = sign_in_refused(
            user=request.user, service=client.service, day=timezone.localdate()
        )
        if refused:
            return self._refused_page(client, refused)
        self.consenting_client = client  # for the consent form_valid records
        return super().post(request, *args, **kwargs)

    def _requested_client(self) -> ServiceClient | None:
        """The client the authorization request names, with its service, if registered."""
        return unique_match(
            ServiceClient.objects.select_related("service").filter(
                client_id=self.request.GET.get("client_id", "")
            )
        )

    def _authorization_error(
        self, error: OAuthToolkitError, client: ServiceClient | None
    ) -> HttpResponse:
        """The answer to a request oauthlib refused: sent back to the service when it may
        be, otherwise shown to the resident."""
        refused = error.oauthlib_error
        if not refused.redirect_uri and not isinstance(error, FatalClientError):
            # oauthlib raises a few errors (a claims parameter that is no JSON) without
            # the request, so DOT has no address to send them to and fails on an address
            # with none. RFC 6749 §4.1.2.1: once the address is one the service
            # registered, the error goes there; otherwise only the resident can be told.
            uri = self.request.GET.get("redirect_uri", "")
            if client is None or not uri or not client.redirect_uri_allowed(uri):
                return self._refused_here(refused.description)
            refused.redirect_uri, refused.state = uri, self.request.GET.get("state")
        return self.error_response(error, application=None)

    def _refused_here(self, description: str) -> HttpResponse:
        """The error page, shown to the resident: for a request or a consent form that
        nothing may be sent back to the service for."""
        error = {"error": "invalid_request", "description": description}
        return self.render_to_response({"error": error}, status=400)

    def _refused_page(self, client: ServiceClient, reason: str) -> HttpResponse:
        """Why the resident cannot sign in to the service: nothing is shared with it."""
        return render(
            self.request,
            "identity/sign_in_refused.html",
            {**trust_facts(client), "client": client, "reason": reason},
            status=403,
        )

    def _signed_in_session(self) -> SignedInSession | None:
        """This browser's session row, read once per request."""
        if not hasattr(self, "signed_in"):
            self.signed_in = current_signed_in_session(self.request)
        return self.signed_in

    def handle_no_permission(self):
        prompt = set(self.request.GET.get("prompt", "").split())
        if "create" in prompt and "none" not in prompt:
            refused = self._refused_before_sign_up()
            if refused is not None:
                return refused
        asks_for_proof = prompt & {"login", "select_account"} or "max_age" in self.request.GET
        if asks_for_proof and not prompt & {"none", "create"}:
            # Signing in answers both prompts and any max_age, proving who the resident is
            # and choosing the account: the request comes back without them, so the
            # resident is not asked again, but with any other prompt (DOT would drop
            # consent too).
            return redirect_to_login(
                _without_prompt(self.request, "login", "select_account"), self.get_login_url()
            )
        return super().handle_no_permission()

    def _refused_before_sign_up(self) -> HttpResponse | None:
        """A service that takes no new residents says so before anyone makes an account
        to use it (``prompt=create``), not after; None to go on to the sign-up page."""
        client = self._requested_client()
        if client is None or not client.approved:
            return None  # django-oauth-toolkit's validation answers the request
        reason = sign_in_refused(user=None, service=client.service, day=timezone.localdate())
        return self._refused_page(client, reason) if reason else None

    def _account_choice(
        self, request, scopes: list[str], credentials: dict, client: ServiceClient
    ) -> HttpResponse:
        """OpenID Connect Core §3.1.2.1 ``prompt=select_account``: a browser holds one
        regional account at a time, so the choice is to go on with it or to sign out and
        in as someone else, coming back to the same request either way; or not to sign in
        at all, which the service hears as the consent page's Cancel (access_denied)."""
        claims = credentials.get("claims")
        # The consent form's hidden fields, as django-oauth-toolkit fills them.
        self.oauth2_data = {
            **credentials,
            "scopes": scopes,
            "claims": json.dumps(claims) if claims else None,
        }
        response = render(
            request,
            "identity/select_account.html",
            {
                "service": client.service,
                "continue_url": _without_prompt(request, "select_account"),
                "form": self.get_form(),
            },
        )
        allow_form_to_reach(response, credentials["redirect_uri"])
        return response

    def _step_up(self, request, credentials: dict, client, prompt: set[str]) -> HttpResponse:
        """The service needs a second factor this session hasn't shown: ask for the one the
        resident has, or say how to set one up."""
        if "none" in prompt:
            return self._error_redirect(
                credentials,
                "unmet_authentication_requirements",
                client,
                "The service asks for a second factor; the resident has not used one.",
            )
        second_factor = _second_factor_url(request.user)
        if second_factor is not None:
            return redirect(f"{second_factor}?{urlencode({'next': request.get_full_path()})}")
        return render(
            request,
            "identity/second_factor_needed.html",
            {**trust_facts(client), "client": client, "retry_url": request.get_full_path()},
            status=403,
        )

    def create_authorization_response(self, request, scopes, credentials, allow):
        # The code carries how this browser session signed in, for the ID token; set here
        # whatever the request's own claims parameter says.
        credentials = {
            **credentials,
            "claims": {
                **_claims_parameter(credentials.get("claims")),
                SESSION_CLAIMS: snapshot_of(self._signed_in_session()),
            },
        }
        return super().create_authorization_response(request, scopes, credentials, allow)

    def redirect(self, redirect_to, application):
        # Every authorization response goes back through here, errors as well as codes,
        # and RFC 9207 §2 has each name the issuer; DOT adds it to codes only. A service
        # whose library checks it, as discovery says to, would otherwise take the region's
        # refusal for a forged response and never learn why.
        # DOT's own helper for its codes: one issuer, any other ``iss`` in the URI dropped.
        issuer = oauth2_settings.oauth2_authorization_server_issuer(self.request)
        return super().redirect(_add_iss_to_redirect(redirect_to, issuer), application)

    def _error_redirect(
        self, credentials: dict, error: str, client, description: str = ""
    ) -> HttpResponse:
        query = {"error": error}
        if description:
            query["error_description"] = description
        if credentials.get("state"):
            query["state"] = credentials["state"]
        uri = credentials["redirect_uri"]
        return self.redirect(f"{uri}{'&' if '?' in uri else '?'}{urlencode(query)}", client)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        client = kwargs.get("application")
        if isinstance(client, ServiceClient):
            context.update(trust_facts(client))
            context["claims"] = [
                (scope, SCOPE_CLAIMS[scope])
                for scope in kwargs.get("scopes", [])
                if scope in SCOPE_CLAIMS
            ]
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        redirect_uri = context.get("redirect_uri")
        if redirect_uri and "error" not in context:
            allow_form_to_reach(response, redirect_uri)
        return response

    def form_invalid(self, form):
        # DOT would show the consent page again, for a client it never read: a consent
        # form comes back incomplete only when something other than this page sent it.
        return self._refused_here(
            f"The consent form came back without {', '.join(sorted(form.errors))}."
        )

    def _changed_since_shown(self, form) -> str | None:
        """What in the consent form this page could not have sent, or None: it shows a
        request only once its redirect URI and resources are checked. DOT sends a refusal
        to the form's redirect URI without checking it again."""
        if not self.consenting_client.redirect_uri_allowed(form.cleaned_data["redirect_uri"]):
            return "Its redirect_uri is not one the service registered."
        if problem := _code_parameter_problem(form.cleaned_data):
            return problem
        unusable = unusable_resource((form.cleaned_data.get("resource") or "").split())
        if unusable is not None:
            return not_a_resource_indicator(unusable)
        return None

    def form_valid(self, form):
        changed = self._changed_since_shown(form)
        if changed is not None:
            return self._refused_here(f"The consent form came back changed. {changed}")
        signed_in = self._signed_in_session()
        if form.cleaned_data.get("allow") and not meets_essential_acr(
            signed_in.amr if signed_in is not None else [],
            _claims_parameter(form.cleaned_data.get("claims")),
        ):
            # The form's claims come back through the browser, which can make acr essential
            # past the step-up (or the session gave its password again since): §5.5.1.1
            # fails the sign-in rather than state a level the request did not accept.
            return self._error_redirect(
                form.cleaned_data,
                "unmet_authentication_requirements",
                self.consenting_client,
                "The service asks for a level of sign-in this session has not reached.",
            )
        response = super().form_valid(form)
        granted = response.status_code == 302 and "code=" in response.get("Location", "")
        if form.cleaned_data.get("allow") and granted:
            actions.give_consent(
                user=self.request.user,
                client=self.consenting_client,
                scopes=form.cleaned_data["scope"].split(),
            )
        return response


def _live_sessions(request: HttpRequest) -> list[SignedInSession]:
    signed_in = list(SignedInSession.objects.filter(user=request.user))
    alive = set(unexpired_sessions(signed_in).values_list("session_key", flat=True))
    for item in signed_in:
        item.is_current = item.session_key == request.session.session_key
    return [item for item in signed_in if item.session_key in alive]


@login_required
def connected(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "identity/connected.html",
        {
            "sessions": _live_sessions(request),
            "connections": connected_services(request.user),
            # A region of several sites: each lists what it issued itself.
            "this_site": settings.SOLHOST_SITE,
        },
    )


@login_required
@require_POST
def disconnect(request: HttpRequest, client_id: int) -> HttpResponse:
    # An unapproved client is unknown to the protocol: it holds nothing to disconnect, and
    # its back-channel address is not one the region posts to. Nor does one never given
    # anything of the resident's: a logout token would tell its co-op of someone it never
    # met, by a public sub it was never given.
    client = get_object_or_404(ServiceClient, pk=client_id, approved_at__isnull=False)
    if not knows_of(user=request.user, client=client):
        raise Http404("This service was never given anything of yours to disconnect.")
    actions.disconnect_service(user=request.user, client=client)
    told = (
        f"{client.service} is disconnected: it can no longer use your account until you "
        "sign in to it again."
    )
    if at_replica_site():
        told += (
            " The region's other sites stop it too as soon as this one reaches them "
            "(within minutes while the link is up)."
        )
    messages.success(request, told)
    return redirect("identity:connected")


@login_required
@require_POST
def end_session(request: HttpRequest, session_id: int) -> HttpResponse:
    signed_in = get_object_or_404(SignedInSession, pk=session_id, user=request.user)
    if signed_in.session_key != request.session.session_key:
        actions.end_session(user=request.user, signed_in=signed_in)
        messages.success(request, "That browser is signed out.")
        return redirect("identity:connected")
    # This browser's own session: its services' front-channel logouts are read before it
    # ends, which forgets them, and the browser goes on with a fresh, anonymous session,
    # as after signing out.
    frames = frontchannel.frames_due(request)
    actions.end_session(user=request.user, signed_in=signed_in)
    request.session.flush()
    if not frames:
        return redirect("account_login")
    return frontchannel.to_signed_out_page(request, frames, continue_to=reverse("account_login"))


class RegionSignupView(SignupView):
    """allauth's sign-up, with the email a service suggested (OIDC ``login_hint``) filled
    in when the service sent the visitor to sign up (``prompt=create``)."""

    def get_initial(self):
        initial = super().get_initial()
        hint = login_hint_in(self.request.GET.get("next", ""))
        if hint is not None:
            initial.setdefault("email", hint)
        return initial


class SignOutView(LogoutView):
    """allauth's sign-out, landing on the signed-out page when services of this browser's
    session take front-channel logout (``frontchannel``); otherwise as allauth does."""

    def post(self, *args, **kwargs):
        frames = frontchannel.frames_due(self.request)
        response = super().post(*args, **kwargs)  # signals.on_logout tells the services
        continue_to = response.get("Location")
        if not frames or not continue_to:
            return response
        # Signing out on the way to a service's sign-in (another account, asked for by
        # prompt=select_account): the page goes on to it once the frames have loaded.
        asking = client_asking(continue_to, host=self.request.get_host())
        return frontchannel.to_signed_out_page(
            self.request,
            frames,
            continue_to=continue_to,
            service=asking.service.name if asking is not None else "",
        )


def signed_out(request: HttpRequest) -> HttpResponse:
    """The page a browser lands on after signing out, framing each service's front-channel
    logout address: its policy frames those origins alone."""
    shown = frontchannel.take_signed_out_page(request)
    if shown is None:
        return redirect("web:home")
    response = render(request, "identity/signed_out.html", shown)
    allow_frames_from(response, [frame["uri"] for frame in shown["frames"]])
    # Names the session for the services: no cache keeps it.
    response["Cache-Control"] = "no-store"
    return response


@login_required
def service_clients(request: HttpRequest, slug: str, service_slug: str) -> HttpResponse:
    organisation = organisation_for_user(request, slug, edit=request.method == "POST")
    service = get_object_or_404(Service, organisation=organisation, slug=service_slug)
    form = ClientForm(request.POST if request.method == "POST" else None)
    registered = submit(
        form, lambda data: actions.register_client(service=service, actor=request.user, **data)
    )
    if registered is not None:
        form = ClientForm()
    clients = list(service.oidc_clients.order_by("-created"))
    deliveries = logout_deliveries(clients)
    response = render(
        request,
        "identity/service_clients.html",
        {
            "organisation": organisation,
            "service": service,
            "clients": [(client, deliveries.get(client.pk)) for client in clients],
            "delivery_days": DELIVERY_DAYS,
            "form": form,
            "registered": registered,
            "issuer": oauth2_settings.oidc_issuer(request),
            "title": f"Sign-in clients for {service}",
        },
        status=400 if form.errors else 200,
    )
    return _shown_once(response, registered)


def _shown_once(
    response: HttpResponse, registered: actions.RegisteredClient | None
) -> HttpResponse:
    # A page showing a new secret is kept by no cache, nor by the browser's history.
    if registered is not None and registered.secret:
        response["Cache-Control"] = "no-store"
    return response


# What a co-op and the steward did to a client still there to show; never the events of
# residents signing in.
CLIENT_KEEPERS_EVENTS = [
    AuditAction.CLIENT_REGISTER,
    AuditAction.CLIENT_APPROVE,
    AuditAction.CLIENT_CHANGE,
    AuditAction.CLIENT_NEW_SECRET,
    admin_action(ServiceClient, "change"),
]


def _client_gone_is_404(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A client removed by another request meanwhile (a second click on Remove) is gone."""

    @functools.wraps(view)
    def answered(*args, **kwargs) -> HttpResponse:
        try:
            return view(*args, **kwargs)
        except ServiceClient.DoesNotExist:
            raise Http404("This client has been removed.") from None

    return answered


def _client_for_user(
    request: HttpRequest, slug: str, service_slug: str, client_pk: int, *, edit: bool
) -> ServiceClient:
    """One of the organisation's service's clients: its members may look, its admins
    change it; anyone else gets the organisation's refusal or a 404."""
    organisation = organisation_for_user(request, slug, edit=edit)
    return get_object_or_404(
        ServiceClient.objects.select_related("service__organisation"),
        pk=client_pk,
        service__organisation=organisation,
        service__slug=service_slug,
    )


def _client_page(
    request: HttpRequest,
    client: ServiceClient,
    form: ClientAddressesForm | None = None,
    *,
    registered: actions.RegisteredClient | None = None,
    refused: str = "",
) -> HttpResponse:
    """The client's page; ``refused`` says why a new secret or a removal was not made."""
    form = form or ClientAddressesForm.of(client)
    service = client.service
    response = render(
        request,
        "identity/service_client.html",
        {
            "organisation": service.organisation,
            "service": service,
            "client": client,
            "can_edit": may_act_for(request.user, service.organisation),
            "form": form,
            "registered": registered,
            "issuer": oauth2_settings.oidc_issuer(request),
            "refused": refused,
            "trail": trail([client], of=CLIENT_KEEPERS_EVENTS),
            "title": f"Client {client.client_id}",
            "parent_title": f"Sign-in clients for {service}",
            "parent_url": reverse(
                "identity:service_clients", args=[service.organisation.slug, service.slug]
            ),
        },
        status=400 if form.errors or refused else 200,
    )
    return _shown_once(response, registered)


@_client_gone_is_404
@login_required
def service_client(
    request: HttpRequest, slug: str, service_slug: str, client_pk: int
) -> HttpResponse:
    """One client of a service: what it is, and its addresses, which the co-op's admins
    may change."""
    client = _client_for_user(request, slug, service_slug, client_pk, edit=request.method == "POST")
    form = ClientAddressesForm.of(client, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        changed = submit(
            form,
            lambda data: actions.change_client_addresses(client=client, actor=request.user, **data),
        )
        if changed is not None:
            if changed:
                messages.success(request, f"Saved the addresses of client {client.client_id}.")
            else:
                messages.info(request, "Nothing was changed.")
            return redirect(request.path)
    return _client_page(request, client, form)


@_client_gone_is_404
@login_required
@require_POST
def new_client_secret(
    request: HttpRequest, slug: str, service_slug: str, client_pk: int
) -> HttpResponse:
    client = _client_for_user(request, slug, service_slug, client_pk, edit=True)
    try:
        registered = actions.replace_client_secret(client=client, actor=request.user)
    except ValidationError as error:
        return _client_page(request, client, refused=error.messages[0])
    return _client_page(request, registered.client, registered=registered)


@_client_gone_is_404
@login_required
@require_POST
def remove_client(
    request: HttpRequest, slug: str, service_slug: str, client_pk: int
) -> HttpResponse:
    client = _client_for_user(request, slug, service_slug, client_pk, edit=True)
    if request.POST.get("confirm") != "yes":
        return _client_page(
            request,
            client,
            refused="Tick the box to confirm that residents can no longer sign in with this "
            "client.",
        )
    try:
        tokens = actions.remove_client(client=client, actor=request.user)
    except ValidationError as error:
        return _client_page(request, client, refused=error.messages[0])
    messages.success(
        request,
        f"Removed client {client.client_id}, and the {tokens} tokens issued to it.",
    )
    return redirect("identity:service_clients", slug, service_slug)
