"""Wind-down pages: parse, authorise (``permissions``), call one action, render.

- the closing partner's page: the start form, progress, cases and bulk "mark exported",
  and what it offers for handover;
- the receiving partner's incoming moves;
- the steward's list, with "complete" and the handovers to record;
- the resident's own cases at ``/leaving/cases/``, with alternatives and "move me";
- the public page of a wind-down: dates and counts, nobody named.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from solhost.core.forms import submit
from solhost.core.problems import InputProblems
from solhost.core.safe_json import LARGEST_KEY, whole_number
from solhost.partners.models import Organisation, Service
from solhost.partners.permissions import (
    organisation_for_user,
    organisations_user_acts_for,
    steward_required,
)
from solhost.winddown import actions
from solhost.winddown.forms import AskForm, OfferForm, WindDownForm
from solhost.winddown.models import Case, HandoverOffer, HandoverRequest, WindDown
from solhost.winddown.permissions import (
    case_for_resident,
    incoming_case_for_user,
    may_run_wind_down,
    organisation_for_wind_down,
)
from solhost.winddown.queries import alternatives_for, counts_by_state, money_of

# The closing partner can still return data after the deadline passed unanswered.
EXPORTABLE = (Case.State.NOTIFIED, Case.State.NO_RESPONSE)


def _refused(request: HttpRequest, error: ValidationError | InputProblems) -> None:
    """A refused button press: each reason as a message on the page it returns to."""
    reasons = (
        [message for _, message in error.problems]
        if isinstance(error, InputProblems)
        else error.messages
    )
    for reason in reasons:
        messages.error(request, f"Nothing was changed: {reason}")


@login_required
def partner_page(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_for_wind_down(request, slug)
    can_run = may_run_wind_down(request.user, organisation)
    wind_down = WindDown.objects.filter(organisation=organisation).first()
    form = None
    if wind_down is None and can_run:
        form = WindDownForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            started = submit(
                form,
                lambda data: actions.start_wind_down(
                    organisation=organisation, actor=request.user, dates=data
                ),
            )
            if started:
                messages.success(
                    request, f"The wind-down is announced; {started.cases.count()} cases opened."
                )
                return redirect("winddown:partner", organisation.slug)
    context = {
        "organisation": organisation,
        "wind_down": wind_down,
        "form": form,
        "can_run": can_run,
    }
    if wind_down is not None:
        context |= {
            "counts": counts_by_state(wind_down),
            "cases": wind_down.cases.select_related("resident", "service", "move_to"),
            "exportable": EXPORTABLE,
            "any_exportable": not wind_down.completed
            and wind_down.cases.filter(state__in=EXPORTABLE).exists(),
            "offers": wind_down.offers.select_related("server", "handed_to").prefetch_related(
                "requests__organisation"
            ),
            "offer_form": OfferForm(organisation=organisation),
            "money": money_of(wind_down, day=timezone.localdate()),
        }
    return render(request, "winddown/partner.html", context)


def _running_wind_down(request: HttpRequest, slug: str) -> WindDown:
    organisation = organisation_for_wind_down(request, slug)
    if not may_run_wind_down(request.user, organisation):
        raise Http404("Only the partner's admins run its wind-down.")
    return get_object_or_404(WindDown, organisation=organisation)


@login_required
@require_POST
def mark_exported(request: HttpRequest, slug: str) -> HttpResponse:
    wind_down = _running_wind_down(request, slug)
    ids = [whole_number(value) for value in request.POST.getlist("cases")]
    if not all(number is not None and number <= LARGEST_KEY for number in ids):
        messages.error(request, "Nothing was changed: a chosen case is not a case number.")
        return redirect("winddown:partner", slug)
    try:
        count = actions.mark_exported(wind_down=wind_down, case_ids=ids, actor=request.user)
    except (ValidationError, InputProblems) as error:
        _refused(request, error)
    else:
        messages.success(request, f"Marked {count} cases as data returned.")
    return redirect("winddown:partner", slug)


@login_required
@require_POST
def offer(request: HttpRequest, slug: str) -> HttpResponse:
    wind_down = _running_wind_down(request, slug)
    form = OfferForm(request.POST, organisation=wind_down.organisation)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"Nothing was offered: {form.fields[field].label}: {error}")
        return redirect("winddown:partner", slug)
    try:
        offered = actions.offer_for_handover(
            wind_down=wind_down,
            actor=request.user,
            server=form.cleaned_data["server"],
            equipment=form.cleaned_data["equipment"],
        )
    except (ValidationError, InputProblems) as error:
        _refused(request, error)
    else:
        messages.success(request, f"Offered {offered} to other groups.")
    return redirect("winddown:partner", slug)


@login_required
def incoming_moves(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_for_user(request, slug, edit=True)
    cases = Case.objects.filter(move_to__organisation=organisation).select_related(
        "resident", "service__organisation", "move_to"
    )
    return render(
        request,
        "winddown/incoming.html",
        {"organisation": organisation, "cases": cases, "waiting": Case.State.MOVE_REQUESTED},
    )


@login_required
@require_POST
def accept_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    case = incoming_case_for_user(request, slug, pk)
    try:
        actions.accept_move(case=case, actor=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"Accepted {case.resident} into {case.move_to}.")
    return redirect("winddown:incoming", slug)


@steward_required
def steward_list(request: HttpRequest) -> HttpResponse:
    wind_downs = WindDown.objects.select_related("organisation")
    rows = [{"wind_down": w, "counts": counts_by_state(w)} for w in wind_downs]
    requests = HandoverRequest.objects.filter(offer__handed_to__isnull=True).select_related(
        "offer__server", "offer__wind_down__organisation", "organisation"
    )
    partners = Organisation.objects.filter(
        kind=Organisation.Kind.PARTNER, wind_down__isnull=True
    ).order_by("name")
    return render(
        request,
        "winddown/steward.html",
        {"rows": rows, "requests": requests, "partners": partners, "today": timezone.localdate()},
    )


@steward_required
@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    wind_down = get_object_or_404(WindDown, pk=pk)
    try:
        actions.complete_wind_down(
            wind_down=wind_down, actor=request.user, confirmed=request.POST.get("confirm") == "yes"
        )
    except (ValidationError, InputProblems) as error:
        _refused(request, error)
    else:
        messages.success(request, f"The {wind_down} is complete.")
    return redirect("winddown:steward")


@steward_required
@require_POST
def record_handover(request: HttpRequest, pk: int) -> HttpResponse:
    handover_request = get_object_or_404(HandoverRequest, pk=pk)
    try:
        offer = actions.record_handover(request=handover_request, actor=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"Recorded {offer} as handed to {offer.handed_to}.")
    return redirect("winddown:steward")


@login_required
def handover_offers(request: HttpRequest) -> HttpResponse:
    """What closing partners offer, for anyone who acts for an organisation to ask for."""
    organisations = organisations_user_acts_for(request.user)
    if not organisations:
        raise Http404("Only an organisation's admins can ask for equipment.")
    offers = HandoverOffer.objects.filter(handed_to__isnull=True).select_related(
        "server", "wind_down__organisation"
    )
    return render(
        request,
        "winddown/handover.html",
        {"offers": offers, "form": AskForm(organisations=organisations)},
    )


@login_required
@require_POST
def ask(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(HandoverOffer, pk=pk)
    form = AskForm(request.POST, organisations=organisations_user_acts_for(request.user))
    if not form.is_valid():
        messages.error(request, "Nothing was asked: choose an organisation you act for.")
        return redirect("winddown:handover")
    try:
        actions.ask_for_handover(
            offer=offer,
            organisation=form.cleaned_data["organisation"],
            actor=request.user,
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"Asked for {offer}; the steward records the handover.")
    return redirect("winddown:handover")


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    cases = Case.objects.filter(resident=request.user).select_related(
        "wind_down__organisation", "service__kind", "move_to__organisation"
    )
    rows = [
        {
            "case": case,
            "alternatives": alternatives_for(case.service, today=today)
            if case.state in Case.OPEN
            else [],
        }
        for case in cases
    ]
    return render(request, "winddown/my_cases.html", {"rows": rows, "open": Case.OPEN})


@login_required
@require_POST
def move_me(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for_resident(request, pk)
    chosen = request.POST.get("service", "")
    number = whole_number(chosen)
    service = Service.objects.filter(pk=number).first() if number is not None else None
    if service is None:
        messages.error(request, "Nothing was changed: choose one of the services offered.")
        return redirect("winddown:my_cases")
    try:
        actions.request_move(case=case, resident=request.user, service=service)
    except (ValidationError, InputProblems) as error:
        _refused(request, error)
    else:
        messages.success(
            request, f"{service.organisation} has been asked to take you into {service}."
        )
    return redirect("winddown:my_cases")


@login_required
@require_POST
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for_resident(request, pk)
    try:
        actions.decline(case=case, resident=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"Noted: you need nothing back from {case.service}.")
    return redirect("winddown:my_cases")


def public(request: HttpRequest, slug: str) -> HttpResponse:
    wind_down = get_object_or_404(
        WindDown.objects.select_related("organisation"), organisation__slug=slug
    )
    return render(
        request,
        "winddown/public.html",
        {
            "wind_down": wind_down,
            "counts": counts_by_state(wind_down),
            "total": wind_down.cases.count(),
            "services": wind_down.organisation.services.order_by("name"),
        },
    )
