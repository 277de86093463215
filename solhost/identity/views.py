"""The provider's pages: consent at sign-in, a resident's connected services and sessions,
and a partner's OpenID Connect clients for each service."""

import datetime
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.models import Session
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.models import AccessToken, RefreshToken
from oauth2_provider.views import AuthorizationView

from solhost.identity import actions
from solhost.identity.forms import ClientForm
from solhost.identity.models import Consent, ServiceClient, SignedInSession
from solhost.identity.oidc import SCOPE_CLAIMS
from solhost.partners.models import Service
from solhost.partners.permissions import organisation_for_user


def trust_facts(client: ServiceClient) -> dict:
    service = client.service
    return {
        "service": service,
        "organisation": service.organisation,
        "localities": sorted({s.locality or s.name for s in service.servers.all()}),
    }


def _authenticated_too_long_ago(request: HttpRequest) -> bool:
    """The request's max_age (seconds) has passed since the resident last entered a password."""
    raw = request.GET.get("max_age", "")
    if not raw.isdigit() or not request.user.is_authenticated:
        return False
    last = request.user.last_login
    return last is None or timezone.now() - last > datetime.timedelta(seconds=int(raw))


class RegionAuthorizationView(AuthorizationView):
    """DOT's authorization endpoint, with the region's consent, approval and max_age rules."""

    template_name = "identity/authorize.html"

    def get(self, request, *args, **kwargs):
        client = (
            ServiceClient.objects.select_related("service__organisation")
            .filter(client_id=request.GET.get("client_id", ""))
            .first()
        )
        if client is not None and not client.approved:
            return render(
                request, "identity/client_not_approved.html", {"client": client}, status=403
            )
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return self.error_response(error, application=None)
        if credentials.get("code_challenge") and credentials.get("code_challenge_method") != "S256":
            # oauthlib takes a missing method as "plain", which the region does not accept.
            return self._error_redirect(
                credentials, "invalid_request", client, "code_challenge_method must be S256."
            )
        prompt = set(request.GET.get("prompt", "").split())
        if _authenticated_too_long_ago(request):
            if "none" in prompt:
                return self._error_redirect(credentials, "login_required", client)
            logout(request)
            return redirect_to_login(request.get_full_path())
        if not prompt & {"login", "consent"}:
            consent = Consent.objects.filter(user=request.user, client=client).first()
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
        return super().get(request, *args, **kwargs)

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
            # Browsers apply form-action to where the consent form's answer redirects: allow
            # the service's own (registered, already checked) origin, and nothing else.
            target = urlsplit(redirect_uri)
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY.replace(
                "form-action 'self'", f"form-action 'self' {target.scheme}://{target.netloc}"
            )
        return response

    def form_valid(self, form):
        response = super().form_valid(form)
        granted = response.status_code == 302 and "code=" in response.get("Location", "")
        if form.cleaned_data.get("allow") and granted:
            client = ServiceClient.objects.get(client_id=form.cleaned_data["client_id"])
            actions.give_consent(
                user=self.request.user, client=client, scopes=form.cleaned_data["scope"].split()
            )
        return response


def _live_sessions(request: HttpRequest) -> list[SignedInSession]:
    signed_in = list(SignedInSession.objects.filter(user=request.user))
    alive = set(
        Session.objects.filter(
            session_key__in=[s.session_key for s in signed_in], expire_date__gt=timezone.now()
        ).values_list("session_key", flat=True)
    )
    for item in signed_in:
        item.is_current = item.session_key == request.session.session_key
    return [item for item in signed_in if item.session_key in alive]


def _connected_clients(user) -> list[dict]:
    now = timezone.now()
    consents = {c.client_id: c for c in Consent.objects.filter(user=user)}
    with_tokens = set(
        AccessToken.objects.filter(user=user, expires__gt=now).values_list(
            "application_id", flat=True
        )
    ) | set(
        RefreshToken.objects.filter(user=user, revoked=None).values_list(
            "application_id", flat=True
        )
    )
    clients = ServiceClient.objects.filter(
        Q(pk__in=consents.keys()) | Q(pk__in=with_tokens)
    ).select_related("service__organisation")
    return [
        {
            "client": client,
            "consent": consents.get(client.pk),
            "signed_in": client.pk in with_tokens,
        }
        for client in clients.order_by("service__name")
    ]


@login_required
def connected(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "identity/connected.html",
        {"sessions": _live_sessions(request), "connections": _connected_clients(request.user)},
    )


@login_required
@require_POST
def disconnect(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_object_or_404(ServiceClient, pk=client_id)
    actions.disconnect_service(user=request.user, client=client)
    messages.success(
        request,
        f"{client.service} is disconnected: it can no longer use your account until you "
        "sign in to it again.",
    )
    return redirect("identity:connected")


@login_required
@require_POST
def end_session(request: HttpRequest, session_id: int) -> HttpResponse:
    signed_in = get_object_or_404(SignedInSession, pk=session_id, user=request.user)
    current = signed_in.session_key == request.session.session_key
    actions.end_session(user=request.user, signed_in=signed_in)
    if current:
        return redirect("account_login")
    messages.success(request, "That browser is signed out.")
    return redirect("identity:connected")


@login_required
def service_clients(request: HttpRequest, slug: str, service_slug: str) -> HttpResponse:
    organisation = organisation_for_user(request, slug, edit=request.method == "POST")
    service = get_object_or_404(Service, organisation=organisation, slug=service_slug)
    form = ClientForm(request.POST if request.method == "POST" else None)
    registered = None
    if request.method == "POST" and form.is_valid():
        registered = actions.register_client(
            service=service,
            redirect_uris=form.cleaned_data["redirect_uris"],
            post_logout_redirect_uris=form.cleaned_data["post_logout_redirect_uris"],
            backchannel_logout_uri=form.cleaned_data["backchannel_logout_uri"],
            backchannel_logout_session_required=form.cleaned_data[
                "backchannel_logout_session_required"
            ],
            public=form.cleaned_data["public"],
            actor=request.user,
        )
        form = ClientForm()
    return render(
        request,
        "identity/service_clients.html",
        {
            "organisation": organisation,
            "service": service,
            "clients": service.oidc_clients.order_by("-created"),
            "form": form,
            "registered": registered,
            "title": f"Sign-in clients for {service}",
        },
        status=400 if form.errors else 200,
    )
