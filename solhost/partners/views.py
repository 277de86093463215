"""Partners' self-service pages: parse, authorise, call one action, render.

Anyone with a membership sees their organisation's pages; partner admins (and the steward's
staff, for the steward organisation) edit them. Other organisations do not exist here:
asking for one gives 404, whether or not it exists.
"""

import copy

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from solhost.core.forms import submit
from solhost.core.safe_json import text_problem
from solhost.core.trail import trail
from solhost.partners import actions
from solhost.partners.forms import OrganisationForm, ServerForm, ServiceForm
from solhost.partners.models import ApiToken, Membership, Organisation, Server, Service
from solhost.partners.permissions import (
    membership_for_user,
    membership_may_act,
    organisation_for_user,
)


def _data(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _edit_page(request: HttpRequest, form: forms.ModelForm, **context) -> HttpResponse:
    return render(request, "partners/edit.html", {"form": form, **context})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("organisation")
        .annotate(
            server_count=models.Count("organisation__servers", distinct=True),
            service_count=models.Count("organisation__services", distinct=True),
        )
    )
    return render(request, "partners/dashboard.html", {"memberships": memberships})


@login_required
def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    membership = membership_for_user(request, slug)
    org = membership.organisation
    servers = list(org.servers.select_related("power_system"))
    services = list(org.services.select_related("kind").prefetch_related("servers"))
    power_systems = [s.power_system for s in servers if hasattr(s, "power_system")]
    return render(
        request,
        "partners/organisation.html",
        {
            "organisation": org,
            "membership": membership,
            "can_edit": membership_may_act(membership),
            "servers": servers,
            "services": services,
            "trail": trail([org, *servers, *services, *power_systems]),
            "tokens": org.api_tokens.all(),
        },
    )


def _overview(organisation: Organisation) -> HttpResponse:
    return redirect("partners:organisation", organisation.slug)


@login_required
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    org = organisation_for_user(request, slug, edit=True)
    # The form edits a copy, so the page's headings keep the stored name if it is refused.
    form = OrganisationForm(_data(request), instance=copy.copy(org))
    if request.method == "POST":
        if not form.has_changed():
            messages.info(request, "Nothing was changed.")
            return _overview(org)
        if submit(
            form,
            lambda data: actions.update_organisation(
                organisation=org, actor=request.user, data=data
            ),
        ):
            messages.success(request, f"Saved the details of {org}.")
            return _overview(org)
    return _edit_page(
        request,
        form,
        organisation=org,
        title=f"Edit {org}",
        submit="Save details",
        intro="Your organisation's kind and address slug are set by the steward.",
    )


@login_required
def server_add(request: HttpRequest, slug: str) -> HttpResponse:
    org = organisation_for_user(request, slug, edit=True)
    form = ServerForm(_data(request), instance=Server(organisation=org))
    if request.method == "POST":
        server = submit(
            form,
            lambda data: actions.create_server(organisation=org, actor=request.user, data=data),
        )
        if server:
            messages.success(request, f"Added the server {server}.")
            return _overview(org)
    return _edit_page(request, form, organisation=org, title="Add a server", submit="Add server")


@login_required
def server_edit(request: HttpRequest, slug: str, server_slug: str) -> HttpResponse:
    org = organisation_for_user(request, slug, edit=True)
    server = get_object_or_404(Server, organisation=org, slug=server_slug)
    form = ServerForm(_data(request), instance=copy.copy(server))
    if request.method == "POST":
        if not form.has_changed():
            messages.info(request, "Nothing was changed.")
            return _overview(org)
        saved = submit(
            form, lambda data: actions.update_server(server=server, actor=request.user, data=data)
        )
        if saved:
            messages.success(request, f"Saved the server {saved}.")
            return _overview(org)
    return _edit_page(
        request,
        form,
        organisation=org,
        title=f"Edit server {server}",
        submit="Save server",
        secondary=(
            reverse("energy:power_edit", args=[org.slug, server.slug]),
            "Edit its power system",
        ),
    )


@login_required
def service_add(request: HttpRequest, slug: str) -> HttpResponse:
    org = organisation_for_user(request, slug, edit=True)
    form = ServiceForm(_data(request), instance=Service(organisation=org), organisation=org)
    if request.method == "POST":
        service = submit(
            form,
            lambda data: actions.create_service(organisation=org, actor=request.user, data=data),
        )
        if service:
            messages.success(
                request,
                f"Added the service {service}. Check how residents leave it: it says what "
                f"is usual for {service.kind}.",
            )
            return _overview(org)
    return _edit_page(
        request,
        form,
        organisation=org,
        title="Add a service",
        intro=(
            "How residents leave it (its own export, whether an account can move) starts as "
            "usual for its kind; correct it by editing the service once it is added."
        ),
        submit="Add service",
    )


@login_required
def service_edit(request: HttpRequest, slug: str, service_slug: str) -> HttpResponse:
    org = organisation_for_user(request, slug, edit=True)
    service = get_object_or_404(Service, organisation=org, slug=service_slug)
    form = ServiceForm(_data(request), instance=copy.copy(service), organisation=org)
    if request.method == "POST":
        if not form.has_changed():
            messages.info(request, "Nothing was changed.")
            return _overview(org)
        saved = submit(
            form,
            lambda data: actions.update_service(service=service, actor=request.user, data=data),
        )
        if saved:
            messages.success(request, f"Saved the service {saved}.")
            return _overview(org)
    return _edit_page(
        request, form, organisation=org, title=f"Edit service {service}", submit="Save service"
    )


@login_required
@require_POST
def token_create(request: HttpRequest, slug: str) -> HttpResponse:
    org = organisation_for_user(request, slug, edit=True)
    name = request.POST.get("name", "").strip()
    if not name or len(name) > 80 or text_problem(name):
        messages.error(
            request, "Give the token a name of 1 to 80 characters, saying what will use it."
        )
        return _overview(org)
    token, plaintext = actions.issue_api_token(organisation=org, actor=request.user, name=name)
    # Shown on this response only: it is never stored in clear, not even in the session.
    response = render(
        request,
        "partners/token_created.html",
        {"organisation": org, "token": token, "plaintext": plaintext},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, slug: str, prefix: str) -> HttpResponse:
    org = organisation_for_user(request, slug, edit=True)
    token = get_object_or_404(ApiToken, organisation=org, prefix=prefix)
    actions.revoke_api_token(token=token, actor=request.user)
    messages.success(
        request, f"Revoked the token {token.name}. Tools using it are refused from now on."
    )
    return _overview(org)
