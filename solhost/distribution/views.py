"""What a closed period shows: to the public, to each partner, and to each resident.

The public sees totals and per-partner figures, never a resident. A partner sees its own
statement and no other's (others' are 404, whether or not they exist). A resident sees
where their own money went, and nobody else's. The steward previews a month's split
before closing it, and closes it from the same page.
"""

import csv
import datetime
import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from solhost.contributions.models import Payment
from solhost.core.dates import month_in_words
from solhost.core.forms import submit
from solhost.core.money import format_aud
from solhost.core.problems import InputProblems
from solhost.distribution.actions import CannotClose, FiguresChanged, close_period
from solhost.distribution.forms import (
    BankAccountForm,
    BatchForm,
    CloseForm,
    MonthForm,
    PayoutForm,
    ReversalForm,
    SentForm,
)
from solhost.distribution.models import (
    PartnerBankAccount,
    PartnerStatement,
    PaymentReversal,
    Payout,
    PayoutBatch,
    PeriodClose,
    ResidentShare,
)
from solhost.distribution.payouts import (
    batch_file,
    make_payout_batch,
    mark_batch_sent,
    owed_cents,
    owed_now,
    record_payout,
    set_bank_account,
    waiting_for_the_bank,
)
from solhost.distribution.queries import (
    MonthInflows,
    land_back_for,
    month_inflows,
    months_to_close,
    preview_close,
    why_not_closable,
)
from solhost.distribution.reconciliation import flagged_debits
from solhost.distribution.refunds import reverse_payment, why_not_reversible
from solhost.metering.models import ActiveDay
from solhost.metering.periods import parse_period
from solhost.partners.models import Membership, Organisation, Service
from solhost.partners.permissions import is_steward, may_act_for, steward_required

STATEMENT_COLUMNS = [
    ("residents", "Residents counted"),
    ("active_days", "Active days"),
    ("gross_cents", "Gross"),
    ("land_back_cents", "Land back"),
    ("held_cents", "Held"),
    ("released_cents", "Released from held"),
    ("carried_in_cents", "Carried in"),
    ("payout_cents", "Payable now"),
    ("carried_cents", "Carried forward"),
]


def transparency_index(request: HttpRequest) -> HttpResponse:
    return render(
        request, "distribution/transparency_index.html", {"closes": PeriodClose.objects.all()}
    )


def _sankey(close: PeriodClose, statements: list[PartnerStatement], inflows: MonthInflows) -> dict:
    source = "Contributions"
    links = [
        {"source": source, "target": "Commons", "value": close.commons_cents},
        {"source": source, "target": "Solidarity fund", "value": close.solidarity_cents},
        {"source": "Gifts", "target": "Solidarity fund", "value": inflows.gifts_cents},
    ]
    for statement in statements:
        name = statement.partner.name
        links.append({"source": source, "target": name, "value": statement.gross_cents})
        links.append({"source": name, "target": "Land back", "value": statement.land_back_cents})
        links.append(
            {"source": name, "target": "Held until qualified", "value": statement.held_cents}
        )
        paid = statement.net_cents - statement.held_cents
        links.append({"source": name, "target": "To partners", "value": paid})
    links = [link for link in links if link["value"] > 0]
    names = sorted({link["source"] for link in links} | {link["target"] for link in links})
    return {"nodes": [{"name": n} for n in names], "links": links}


def transparency(request: HttpRequest, period: str) -> HttpResponse:
    close = get_object_or_404(PeriodClose, period=period)
    statements = list(close.partners.select_related("partner"))
    inflows = month_inflows(period)
    return render(
        request,
        "distribution/transparency.html",
        {
            "close": close,
            "inflows": inflows,
            "land_back": land_back_for(close, statements),
            "solidarity_cents": close.solidarity_cents + inflows.gifts_cents,
            "statements": statements,
            "sankey": _sankey(close, statements, inflows),
        },
    )


def transparency_scenario(request: HttpRequest, period: str) -> HttpResponse:
    """The closed month's scenario, as given to the split: `solhost distribute` recomputes it."""
    close = get_object_or_404(PeriodClose, period=period)
    response = HttpResponse(
        json.dumps(close.scenario, indent=2, ensure_ascii=False) + "\n",
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="scenario-{period}.json"'
    return response


def _partner_for(request: HttpRequest, slug: str) -> Organisation:
    """The partner, if the user is one of its people or the steward; else 404."""
    organisation = get_object_or_404(Organisation, slug=slug)
    member = Membership.objects.filter(user=request.user, organisation=organisation).exists()
    if not (member or is_steward(request.user)):
        raise Http404("No such statement.")
    return organisation


@login_required
def statements(request: HttpRequest, slug: str) -> HttpResponse:
    partner = _partner_for(request, slug)
    rows = PartnerStatement.objects.filter(partner=partner).select_related("close")
    return render(
        request,
        "distribution/statements.html",
        {
            "partner": partner,
            "rows": rows,
            "columns": STATEMENT_COLUMNS,
            "owed_cents": owed_cents(partner),
            "payouts": partner.payouts.all()[:24],
            "bank": PartnerBankAccount.objects.filter(partner=partner).first(),
            "may_edit_bank": may_act_for(request.user, partner) or is_steward(request.user),
        },
    )


@login_required
def bank_account(request: HttpRequest, slug: str) -> HttpResponse:
    """Where the partner is paid: its admins (or the steward) enter the account."""
    partner = _partner_for(request, slug)
    if not (may_act_for(request.user, partner) or is_steward(request.user)):
        raise PermissionDenied("Only the partner's admins can change where it is paid.")
    found = PartnerBankAccount.objects.filter(partner=partner).first()
    initial = (
        {f: getattr(found, f) for f in ("account_name", "bsb", "account_number")} if found else {}
    )
    form = BankAccountForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved = submit(
            form, lambda data: set_bank_account(partner=partner, actor=request.user, **data)
        )
        if saved is not None:
            messages.success(
                request, f"Payouts to {partner} now go to {saved.bsb} {saved.account_number}."
            )
            return redirect("distribution:statements", partner.slug)
    return render(request, "distribution/bank_account.html", {"partner": partner, "form": form})


@login_required
def statement(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    partner = _partner_for(request, slug)
    row = get_object_or_404(
        PartnerStatement.objects.select_related("close"), partner=partner, close__period=period
    )
    names = dict(Service.objects.filter(slug__in=row.services).values_list("slug", "name"))
    services = [
        {"slug": s, "name": names.get(s, s), **figures} for s, figures in row.services.items()
    ]
    figures = [
        (label, getattr(row, field), field.endswith("_cents")) for field, label in STATEMENT_COLUMNS
    ]
    return render(
        request,
        "distribution/statement.html",
        {
            "partner": partner,
            "row": row,
            "close": row.close,
            "figures": figures,
            "services": services,
        },
    )


@login_required
def statement_csv(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    partner = _partner_for(request, slug)
    row = get_object_or_404(
        PartnerStatement.objects.select_related("close"), partner=partner, close__period=period
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="statement-{partner.slug}-{period}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(["period", "partner", "service", *(field for field, _ in STATEMENT_COLUMNS)])
    writer.writerow(
        [period, partner.slug, "", *(getattr(row, field) for field, _ in STATEMENT_COLUMNS)]
    )
    for service, figures in row.services.items():
        by_service = [figures.get(field, "") for field, _ in STATEMENT_COLUMNS]
        writer.writerow([period, partner.slug, service, *by_service])
    writer.writerow([])
    writer.writerow(["algorithm", row.close.algorithm, "input hash", row.close.input_hash])
    return response


@login_required
def where_it_went(request: HttpRequest) -> HttpResponse:
    shares = ResidentShare.objects.filter(resident=request.user).select_related("close")
    services = {s.slug: s for s in Service.objects.select_related("organisation")}
    # Which partners' money each month was held because they were not qualified then.
    held = set(
        PartnerStatement.objects.filter(
            close__in={share.close_id for share in shares}, held_cents__gt=0
        ).values_list("close_id", "partner_id")
    )
    months = []
    for share in shares:
        rows = [
            {
                "service": services[slug].name if slug in services else slug,
                "partner": services[slug].organisation.name if slug in services else "",
                "held": slug in services
                and (share.close_id, services[slug].organisation_id) in held,
                "days": share.active_days.get(slug, 0),
                "cents": cents,
            }
            for slug, cents in share.services.items()
        ]
        months.append({"share": share, "rows": rows})
    payments = list(Payment.objects.filter(reference__resident=request.user))
    return render(
        request,
        "distribution/where_it_went.html",
        {
            "months": months,
            "open_usage": _open_usage_for(request.user),
            "payments": payments[:36],
            "years": sorted({_financial_year(p.received_on) for p in payments}, reverse=True),
        },
    )


def _open_usage_for(resident) -> list[dict]:
    """The resident's own active days per service in the months not closed yet."""
    latest = PeriodClose.objects.order_by("-period").values_list("period", flat=True).first()
    days = ActiveDay.objects.filter(resident=resident)
    if latest is not None:
        days = days.filter(day__gt=parse_period(latest)[1])
    rows = (
        days.order_by()
        .values("service__name", "service__organisation__name")
        .annotate(days=Count("id"), first=Min("day"), last=Max("day"))
        .order_by("-days", "service__name")
    )
    return [
        {
            "service": row["service__name"],
            "partner": row["service__organisation__name"],
            "days": row["days"],
            "first": row["first"],
            "last": row["last"],
        }
        for row in rows
    ]


@steward_required
def payouts(request: HttpRequest) -> HttpResponse:
    """The steward sees what each partner is owed and records the transfers it makes."""
    partners = Organisation.objects.filter(statements__isnull=False).distinct().order_by("name")
    form = PayoutForm(
        request.POST or None,
        partners=partners,
        initial={"paid_on": timezone.localdate(), "token": uuid.uuid4().hex},
    )
    if request.method == "POST":
        payout = submit(
            form,
            lambda data: record_payout(
                partner=data["partner"],
                amount_cents=data["amount"],
                paid_on=data["paid_on"],
                bank_reference=data["bank_reference"],
                token=data["token"],
                actor=request.user,
            ),
        )
        if not form.errors:
            if payout:
                messages.success(
                    request, f"Recorded {format_aud(payout.amount_cents)} paid to {payout.partner}."
                )
            else:
                messages.info(request, "This payout was already recorded; nothing changed.")
            return redirect("distribution:payouts")
    latest = {
        s.partner_id: s
        for s in PartnerStatement.objects.filter(partner__in=partners)
        .select_related("close")
        .order_by("close__period")
    }
    owed = [
        {"partner": p, "owed_cents": owed_cents(p), "latest": latest.get(p.pk)} for p in partners
    ]
    return render(
        request,
        "distribution/payouts.html",
        {
            "form": form,
            "owed": owed,
            "recent": Payout.objects.select_related("partner")[:20],
            "by_file": owed_now(timezone.localdate()),
            "batch_form": BatchForm(initial={"process_on": timezone.localdate()}),
            "waiting_for_the_bank": waiting_for_the_bank(),
            "batches": PayoutBatch.objects.prefetch_related("lines")[:12],
        },
    )


@steward_required
@require_POST
def batch_new(request: HttpRequest) -> HttpResponse:
    """Gather what the ledger says is owed into a batch for one direct-entry file."""
    form = BatchForm(request.POST)
    batch = submit(
        form,
        lambda data: make_payout_batch(process_on=data["process_on"], actor=request.user),
    )
    if batch is None:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"No batch was made: {error}")
        return redirect("distribution:payouts")
    messages.success(request, f"Made batch {batch.pk}: {format_aud(batch.total_cents)} to pay.")
    return redirect("distribution:batch", batch.pk)


def _batch_page(request: HttpRequest, batch: PayoutBatch, form: SentForm) -> HttpResponse:
    return render(
        request,
        "distribution/batch.html",
        {
            "batch": batch,
            "lines": batch.lines.select_related("partner", "statement_line"),
            "flagged": flagged_debits(batch),
            "form": form,
            "waiting_for_the_bank": waiting_for_the_bank()
            if batch.status == PayoutBatch.Status.OPEN
            else "",
        },
    )


@steward_required
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(PayoutBatch, pk=pk)
    return _batch_page(request, found, SentForm(initial={"sent_on": timezone.localdate()}))


@steward_required
def batch_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The batch's ABA file, for the steward to upload to the bank."""
    found = get_object_or_404(PayoutBatch, pk=pk)
    try:
        text = batch_file(found)
    except InputProblems as error:
        problems = "; ".join(f"{where} {message}" for where, message in error.problems)
        messages.error(request, f"The file cannot be made: {problems}.")
        return redirect("distribution:batch", found.pk)
    response = HttpResponse(text.encode("ascii"), content_type="text/plain; charset=us-ascii")
    response["Content-Disposition"] = f'attachment; filename="payouts-{found.pk}.aba"'
    return response


@steward_required
@require_POST
def batch_sent(request: HttpRequest, pk: int) -> HttpResponse:
    """The steward sent the file: post each payment out of what is owed (audited)."""
    found = get_object_or_404(PayoutBatch, pk=pk)
    form = SentForm(request.POST)
    made = submit(
        form, lambda data: mark_batch_sent(batch=found, sent_on=data["sent_on"], actor=request.user)
    )
    if made is None:
        return _batch_page(request, found, form)
    if made:
        messages.success(request, f"Batch {found.pk} is sent; its payments are in the ledger.")
    else:
        messages.info(request, f"Batch {found.pk} was already marked sent; nothing changed.")
    return redirect("distribution:batch", found.pk)


@steward_required
def close_index(request: HttpRequest) -> HttpResponse:
    """The months the steward can close, those still taking late usage, and those closed."""
    form = MonthForm(request.GET or None)
    if form.is_valid():
        return redirect("distribution:close_preview", form.cleaned_data["period"])
    return render(
        request,
        "distribution/close_index.html",
        {"form": form, "months": months_to_close(timezone.localdate())},
    )


@steward_required
def close_preview(request: HttpRequest, period: str) -> HttpResponse:
    return _close_preview(request, period, form=None)


def _close_preview(request: HttpRequest, period: str, *, form: CloseForm | None) -> HttpResponse:
    """A month's split as closing it now would store it; nothing is kept.

    ``form`` is a refused confirmation to show again; without one, a fresh form carries
    the hash of the figures shown.
    """
    closed = PeriodClose.objects.filter(period=period).select_related("closed_by").first()
    waiting = "" if closed else why_not_closable(period, timezone.localdate())
    figures = None if closed or waiting else preview_close(period)
    if figures is not None and form is None:
        form = CloseForm(initial={"input_hash": figures.close.input_hash})
    return render(
        request,
        "distribution/close_preview.html",
        {
            "period": period,
            "closed": closed,
            "waiting": waiting,
            "figures": figures,
            "form": form,
        },
    )


@steward_required
@require_POST
def close_month(request: HttpRequest, period: str) -> HttpResponse:
    """Close a previewed month, once the steward confirms its figures are still the ones shown."""
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _close_preview(request, period, form=form)
    try:
        close, made = close_period(
            period=period, actor=request.user, checked_input_hash=form.cleaned_data["input_hash"]
        )
    except FiguresChanged as error:
        # Only the first letter: the message names a month ("of October 2026").
        reason = str(error)
        messages.error(request, f"{reason[:1].upper()}{reason[1:]}.")
        return _close_preview(request, period, form=None)
    except CannotClose as error:
        # The page names the month already; the reason names it again.
        messages.error(request, f"Not closed: {error}.")
        return redirect("distribution:close_preview", period)
    if made:
        messages.success(
            request,
            f"Closed {month_in_words(period)}: {format_aud(close.total_in_cents)} in, "
            "split and posted to the ledger.",
        )
    else:
        messages.info(request, f"{month_in_words(period)} was already closed; nothing changed.")
    return redirect("distribution:transparency", period)


@steward_required
def give_back(request: HttpRequest, pk: int) -> HttpResponse:
    """The steward refunds a payment, or records that the bank reversed it (audited)."""
    payment = get_object_or_404(Payment.objects.select_related("reference"), pk=pk)
    reversal = PaymentReversal.objects.filter(payment=payment).first()
    form = ReversalForm(request.POST or None, initial={"reversed_on": timezone.localdate()})
    if request.method == "POST" and reversal is None:
        reversal = submit(
            form,
            lambda data: reverse_payment(payment=payment, actor=request.user, **data),
        )
        if reversal is not None:
            messages.success(
                request,
                f"{reversal.get_kind_display()}: {format_aud(payment.amount_cents)} "
                f"of {payment.reference} is out of the books by a reversing transaction.",
            )
            return redirect("distribution:give_back", payment.pk)
    return render(
        request,
        "distribution/give_back.html",
        {
            "payment": payment,
            "reversal": reversal,
            "form": form,
            "closed": "" if reversal else why_not_reversible(payment),
        },
    )


@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable receipt for one payment: for whoever paid it, and the steward; else 404."""
    payment = get_object_or_404(
        Payment.objects.select_related("reference__resident", "reference__organisation"), pk=pk
    )
    reference = payment.reference
    payer = reference.resident or reference.organisation
    mine = reference.resident_id == request.user.pk or (
        reference.organisation is not None and may_act_for(request.user, reference.organisation)
    )
    if not (mine or is_steward(request.user)):
        raise Http404("No such receipt.")
    return render(
        request,
        "distribution/receipt.html",
        {
            "payment": payment,
            "payer": _payer_name(payer) if payer else "A gift to the solidarity fund",
            "reversal": PaymentReversal.objects.filter(payment=payment).first(),
        },
    )


def _payer_name(payer) -> str:
    if isinstance(payer, Organisation):
        return payer.name
    return payer.get_full_name() or payer.get_username()


def _financial_year(day: datetime.date) -> int:
    """The Australian financial year a day falls in, by the year it starts (1 July)."""
    return day.year if day.month >= 7 else day.year - 1


@login_required
def yearly_statement(request: HttpRequest, year: int) -> HttpResponse:
    """The resident's own payments in one financial year (1 July to 30 June), to print."""
    first, last = datetime.date(year, 7, 1), datetime.date(year + 1, 6, 30)
    payments = list(
        Payment.objects.filter(
            reference__resident=request.user, received_on__gte=first, received_on__lte=last
        )
        .select_related("reference", "reversal")
        .order_by("received_on", "id")
    )
    kept = sum(p.amount_cents for p in payments if not hasattr(p, "reversal"))
    return render(
        request,
        "distribution/yearly_statement.html",
        {
            "first": first,
            "last": last,
            "payments": payments,
            "kept_cents": kept,
            "payer": _payer_name(request.user),
        },
    )
