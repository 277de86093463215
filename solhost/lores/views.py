"""The steward's LoRes page: the sync sources, the LoRes region, and each node to link or dismiss."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from solhost.lores import actions
from solhost.lores.forms import LinkForm
from solhost.lores.models import LoresNode, LoresRegion, SyncSource
from solhost.partners.permissions import steward_required


@steward_required
def steward_page(request: HttpRequest) -> HttpResponse:
    nodes = LoresNode.objects.select_related("server__organisation").prefetch_related(
        "apps", "services__service"
    )
    return render(
        request,
        "lores/steward.html",
        {
            "sources": SyncSource.objects.order_by("url"),
            "lores_region": LoresRegion.objects.first(),
            "proposed": [n for n in nodes if n.link == LoresNode.Link.PROPOSED],
            "others": [n for n in nodes if n.link != LoresNode.Link.PROPOSED],
            "form": LinkForm(),
        },
    )


@steward_required
@require_POST
def link(request: HttpRequest, pk: int) -> HttpResponse:
    node = get_object_or_404(LoresNode, pk=pk)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Nothing was changed: choose a server for {node}.")
        return redirect("lores:steward")
    try:
        actions.link_node(node=node, server=form.cleaned_data["server"], actor=request.user)
    except ValidationError as error:
        messages.error(request, f"Nothing was changed: {' '.join(error.messages)}")
        return redirect("lores:steward")
    messages.success(request, f"{node} is linked to {form.cleaned_data['server']}.")
    return redirect("lores:steward")


@steward_required
@require_POST
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    node = get_object_or_404(LoresNode, pk=pk)
    actions.dismiss_node(node=node, actor=request.user)
    messages.success(request, f"{node} is marked as not one of the region's servers.")
    return redirect("lores:steward")
