"""Residents choose what they pay; anyone can give; the steward records what arrived."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from solhost.contributions import actions, queries
from solhost.contributions.forms import (
    ContributionForm,
    PaymentForm,
    PaymentsCsvForm,
    PledgeForm,
    SponsorSeatForm,
)
from solhost.contributions.models import Payment, PaymentReference, Pledge
from solhost.contributions.pledges import (
    receiving_account,
    set_pledge,
    set_pledge_reminders,
    set_pledge_status,
)
from solhost.core.forms import submit
from solhost.core.money import format_aud, format_decimal
from solhost.core.problems import InputProblems
from solhost.core.safe_json import whole_number
from solhost.identity.models import User
from solhost.partners.permissions import organisation_for_user, steward_required

MAX_CSV_BYTES = 2_000_000


@login_required
def contribute(request: HttpRequest) -> HttpResponse:
    tiers = queries.tiers_cents(at=timezone.localdate())
    current = queries.current_choice(request.user)
    initial = {}
    if current is not None:
        if current.monthly_cents in tiers:
            initial = {"tier": str(current.monthly_cents)}
        else:
            initial = {"tier": "custom", "custom": format_decimal(current.monthly_cents)}
    form = ContributionForm(request.POST or None, tiers=tiers, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            choice = actions.choose_contribution(
                resident=request.user,
                monthly_cents=form.cleaned_data["monthly_cents"],
                actor=request.user,
            )
        except ValueError as error:
            form.add_error("custom", str(error))
        else:
            messages.success(
                request,
                f"Thank you. Your contribution is now {format_aud(choice.monthly_cents)} a month.",
            )
            return redirect("contributions:contribute")
    return render(
        request,
        "contributions/contribute.html",
        {
            "form": form,
            "current": current,
            "reference": queries.reference_of(request.user),
            "seats": request.user.sponsored_seats.select_related("organisation"),
            "payments": Payment.objects.filter(reference__resident=request.user)[:12],
        },
    )


STATUS_BUTTONS = {
    "pause": (
        Pledge.Status.PAUSED,
        "Your pledge is paused; nothing is expected until you resume it.",
    ),
    "resume": (Pledge.Status.ACTIVE, "Your pledge is active again, from today."),
    "stop": (Pledge.Status.STOPPED, "Your pledge is stopped. Thank you for what you gave."),
}


@login_required
def pledge(request: HttpRequest) -> HttpResponse:
    """A resident's recurring pledge: amount and frequency, pause, stop, reminders."""
    current = Pledge.objects.filter(resident=request.user).first()
    initial = {"starts_on": timezone.localdate(), "frequency": "monthly"}
    if current is not None:
        initial = {
            "amount": format_decimal(current.amount_cents),
            "frequency": current.frequency,
            "starts_on": current.starts_on,
        }
    form = PledgeForm(request.POST if "save" in request.POST else None, initial=initial)
    if "save" in request.POST:
        saved = submit(
            form,
            lambda data: set_pledge(
                resident=request.user,
                amount_cents=data["amount"],
                frequency=data["frequency"],
                starts_on=data["starts_on"],
                actor=request.user,
            ),
        )
        if saved is not None:
            messages.success(
                request,
                f"Thank you. Your pledge is {format_aud(saved.amount_cents)} "
                f"{saved.get_frequency_display().lower()}.",
            )
            return redirect("contributions:pledge")
    elif request.method == "POST" and current is not None:
        for button, (status, message) in STATUS_BUTTONS.items():
            if button in request.POST:
                set_pledge_status(pledge=current, status=status, actor=request.user)
                messages.success(request, message)
        if "reminders" in request.POST:
            wanted = request.POST["reminders"] == "on"
            set_pledge_reminders(pledge=current, reminders=wanted, actor=request.user)
            messages.success(
                request,
                "We will send a gentle note if a payment doesn't arrive."
                if wanted
                else "No more reminders: we won't email you about missed payments.",
            )
        return redirect("contributions:pledge")
    return render(
        request,
        "contributions/pledge.html",
        {
            "form": form,
            "pledge": current,
            "reference": queries.reference_of(request.user),
            "bank": receiving_account(timezone.localdate()),
        },
    )


def solidarity(request: HttpRequest) -> HttpResponse:
    return render(
        request, "contributions/solidarity.html", {"reference": actions.SOLIDARITY_REFERENCE}
    )


@steward_required
def payments(request: HttpRequest) -> HttpResponse:
    payment_form = PaymentForm(
        request.POST if "record" in request.POST else None,
        initial={"received_on": timezone.localdate(), "token": uuid.uuid4().hex},
    )
    csv_form = PaymentsCsvForm(
        request.POST if "import" in request.POST else None,
        request.FILES if "import" in request.POST else None,
    )
    csv_problems: list[tuple[str, str]] = []
    if "record" in request.POST:
        stored = submit(
            payment_form,
            lambda data: actions.record_payment(
                received_on=data["received_on"],
                reference=data["reference"],
                amount_cents=data["amount"],
                token=data["token"],
                actor=request.user,
            ),
        )
        if not payment_form.errors:
            if stored:
                messages.success(
                    request, f"Recorded {format_aud(stored.amount_cents)} from {stored.reference}."
                )
            else:
                messages.info(request, "This payment was already recorded; nothing changed.")
            return redirect("contributions:payments")
    if "import" in request.POST and csv_form.is_valid():
        upload = csv_form.cleaned_data["file"]
        try:
            if upload.size > MAX_CSV_BYTES:
                raise InputProblems(
                    [("file", f"is larger than {MAX_CSV_BYTES // 1_000_000} MB; split it")]
                )
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise InputProblems(
                    [("file", "is not UTF-8 text; export it from the bank as CSV")]
                ) from None
            result = actions.import_payments_csv(text=text, actor=request.user)
        except InputProblems as error:
            csv_problems = error.problems
        except IntegrityError:
            csv_problems = [
                (
                    "file",
                    "another import stored some of these lines at the same moment; import it again",
                )
            ]
        else:
            messages.success(
                request,
                f"Imported {result.stored} new payments; {result.already} were already recorded.",
            )
            return redirect("contributions:payments")
    return render(
        request,
        "contributions/payments.html",
        {
            "payment_form": payment_form,
            "csv_form": csv_form,
            "csv_problems": csv_problems,
            "recent": Payment.objects.select_related("reference")[:20],
        },
    )


@login_required
def sponsorship(request: HttpRequest, slug: str) -> HttpResponse:
    """An organisation's admins sponsor their members' seats, change the amount, or stop."""
    organisation = organisation_for_user(request, slug, edit=True)
    members = User.objects.filter(memberships__organisation=organisation).order_by("username")
    if "stop" in request.POST:
        # Only this organisation's own members can be named; anyone else does not exist here.
        stop = whole_number(request.POST["stop"])
        resident = members.filter(pk=stop).first() if stop is not None else None
        if resident is None:
            raise Http404("No such member.")
        try:
            actions.stop_sponsoring_seat(
                organisation=organisation, resident=resident, actor=request.user
            )
        except ValueError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{organisation} no longer sponsors {resident}'s seat.")
        return redirect("contributions:sponsorship", organisation.slug)
    form = SponsorSeatForm(request.POST if "sponsor" in request.POST else None, members=members)
    if "sponsor" in request.POST and form.is_valid():
        try:
            seat = actions.sponsor_seat(
                organisation=organisation,
                resident=form.cleaned_data["resident"],
                monthly_cents=form.cleaned_data["amount"],
                actor=request.user,
            )
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{organisation} sponsors {seat.resident}'s seat with "
                f"{format_aud(seat.monthly_cents)} a month.",
            )
            return redirect("contributions:sponsorship", organisation.slug)
    seats = list(organisation.sponsored_seats.select_related("resident"))
    return render(
        request,
        "contributions/sponsorship.html",
        {
            "organisation": organisation,
            "title": "Sponsored seats",
            "form": form,
            "seats": seats,
            "monthly_total": sum(seat.monthly_cents for seat in seats),
            "reference": PaymentReference.objects.filter(organisation=organisation).first(),
        },
    )
