"""A resident's own pages: their account at a glance, the export of their data, and
deleting the account (with the grace period to change their mind)."""

import tempfile
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter
from allauth.account.authentication import get_authentication_records
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solhost.core.forms import submit
from solhost.residents import actions, links, queries
from solhost.residents.forms import DeleteAccountForm
from solhost.residents.models import AccountExport

# An export smaller than this is assembled in memory, a larger one in a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "residents/overview.html",
        {
            **queries.overview(request.user),
            "grace_days": queries.grace_days(at=timezone.localdate()),
        },
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    # allauth's default landing page after sign-in; the account lives at /accounts/.
    return redirect("residents:overview")


def _zip_response(out, name: str) -> FileResponse:
    response = FileResponse(out, as_attachment=True, filename=name, content_type="application/zip")
    # Personal data: never kept by a browser's or proxy's cache.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def your_data(request: HttpRequest) -> HttpResponse:
    """What the export holds, the button that gets it, and any export prepared earlier."""
    return render(
        request,
        "residents/export.html",
        {
            "large": queries.export_rows(request.user) > settings.SOLHOST_EXPORT_INLINE_ROWS,
            "exports": [(e, links.export_url(e)) for e in queries.exports_of(request.user)],
            "link_days": settings.SOLHOST_EXPORT_LINK_DAYS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest) -> HttpResponse:
    """The export itself: a GET (or the page's button) downloads the zip at once; one too
    large for that is built in the background (on POST) and its link emailed, and a GET
    for it shows the page that offers that."""
    user = request.user
    large = queries.export_rows(user) > settings.SOLHOST_EXPORT_INLINE_ROWS
    if large and request.method == "POST":
        actions.request_export(user=user, now=timezone.now())
        messages.success(
            request,
            "Your export is being prepared. We will email you a link to it, and it will "
            "be listed on this page when it is ready.",
        )
        return redirect("residents:data")
    if large:
        return redirect("residents:data")
    now = timezone.now()
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    actions.download_export(user=user, out=out, now=now)
    out.seek(0)
    return _zip_response(out, actions.file_name(now))


def export_file(request: HttpRequest, token: str) -> HttpResponse:
    """A built export, from its signed link. A requested export opens only for its own
    resident, signed in; the one sent before an erasure opens from the link alone, as
    the account it belonged to is gone."""
    named = links.export_named(token)
    if named is None:
        raise Http404("No export has this link.")
    export_id, user_id = named
    export = get_object_or_404(AccountExport.objects.select_related("user"), pk=export_id)
    if export.user_id != user_id:
        raise Http404("No export has this link.")
    final = export.purpose == AccountExport.Purpose.FINAL
    if not final and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not final and request.user.pk != user_id:
        raise Http404("No export has this link.")
    path = actions.export_path(export)
    if not export.file_name or export.expires_at <= timezone.now() or not path.is_file():
        return render(request, "residents/export_expired.html", {"final": final}, status=410)
    actions.record_download(export=export, by=None if final else request.user)
    return _zip_response(path.open("rb"), actions.file_name(export.ready_at))


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "j F Y, H:i")


def _second_factor_links(user) -> list[dict]:
    """Where the resident confirms each kind of second factor they have (allauth)."""
    methods = get_adapter().get_reauthentication_methods(user)
    return [m for m in methods if m["id"].startswith("mfa_reauthenticate")]


def _confirmed_second_factor(request: HttpRequest) -> bool:
    """This browser proved a second factor within allauth's reauthentication window."""
    window = account_settings.REAUTHENTICATION_TIMEOUT
    return any(
        record.get("method") == "mfa" and time.time() - record.get("at", 0) < window
        for record in get_authentication_records(request, request.user)
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    user = request.user
    deletion = queries.pending_deletion(user)
    factors = _second_factor_links(user)
    confirmed = not factors or _confirmed_second_factor(request)
    form = DeleteAccountForm(
        request.POST if request.method == "POST" and deletion is None else None,
        user=user,
        second_factor_confirmed=confirmed,
    )
    now = timezone.now()
    if form.is_bound:
        scheduled = submit(form, lambda data: actions.request_deletion(user=user, now=now))
        if scheduled is not None:
            messages.success(
                request,
                f"Your account will be deleted after {_when(scheduled.erase_after)}. "
                "Until then you can cancel on this page.",
            )
            return redirect("residents:overview")
    return render(
        request,
        "residents/delete.html",
        {
            "form": form,
            "deletion": deletion,
            "factors": factors,
            "confirmed": confirmed,
            "grace_days": queries.grace_days(at=timezone.localdate(now)),
            "memberships": list(user.memberships.select_related("organisation")),
            "has_password": user.has_usable_password(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def cancel_deletion(request: HttpRequest) -> HttpResponse:
    try:
        actions.cancel_deletion(user=request.user, now=timezone.now())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Your account will not be deleted.")
    return redirect("residents:overview")
