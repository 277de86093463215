"""Dossier, evidence and review pages, and the public qualification page.

Partner pages follow ``solhost.partners.views``: members see their organisation's pages,
admins edit them, any other organisation answers 404. The review queue is the steward's.
Evidence files are served only here, after a permission check; they are never under a
public URL.
"""

import json
from collections.abc import Iterable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from solhost.core.forms import add_errors
from solhost.core.models import Parameter
from solhost.core.safe_json import text_problem
from solhost.energy.wording import STATUS_WORDS
from solhost.governance.wording import value_in_words
from solhost.partners.models import Membership, Organisation
from solhost.partners.permissions import (
    is_steward,
    membership_for_user,
    membership_may_act,
    organisation_for_user,
    steward_required,
)
from solhost.qualification.actions import evidence as evidence_actions
from solhost.qualification.actions.applications import (
    approve_application,
    reject_application,
    submit_application,
)
from solhost.qualification.actions.declarations import (
    import_dossier,
    save_declarations,
    save_financial_year,
)
from solhost.qualification.dossier import DossierError
from solhost.qualification.dossier_document import dossier_document
from solhost.qualification.forms import (
    ApplicationForm,
    DeclarationsForm,
    DossierImportForm,
    EvidenceForm,
    FinancialYearForm,
    ReviewForm,
    year_from_path,
)
from solhost.qualification.gather import (
    build_dossier,
    build_snapshot,
    declarations_of,
    parameters_at,
)
from solhost.qualification.history import changes_in_words, subject_labels
from solhost.qualification.models import Application, Evidence, FinancialYear, QualificationRun
from solhost.qualification.queries import latest_run, shown_publicly
from solhost.qualification.rules import (
    NEEDS_EVIDENCE,
    NOT_MET,
    QUALIFYING,
    REGISTRY,
    ROLL_UPS,
    Outcome,
    evaluate,
    progress,
)
from solhost.qualification.signals import wind_down_progress_of
from solhost.qualification.uploads import UploadError

HISTORY_LENGTH = 20
# Statuses a partner can do something about, listed in its dossier as what is missing.
MISSING = (NOT_MET, NEEDS_EVIDENCE)
# Criteria the steward judges from evidence, so a missing one links to the evidence form.
REVIEWED = frozenset({"B1.3", "B1.4", "B2", "B3.1", "B3.2", "B3.3", "B5.1", "B7", "S2.1", "S2.2"})
_DECLARATIONS = ("Edit declarations", "qualification:declarations_edit")
_YEAR = ("Add a financial year", "qualification:year_add")
_RECORDS = ("Your servers and services", "partners:organisation")
# Where in the partner pages each criterion's missing piece is entered.
WHERE_TO_ENTER = {
    "B1.1": [_YEAR],
    "B1.2": [_YEAR],
    "B1.3": [_DECLARATIONS, ("Your co-op's details", "partners:organisation_edit")],
    "B1.4": [_DECLARATIONS],
    "B2": [_DECLARATIONS],
    "B3.1": [_DECLARATIONS, _RECORDS],
    "B3.2": [_DECLARATIONS],
    "B3.3": [_DECLARATIONS],
    "B5.1": [_DECLARATIONS],
    "B5.2": [_YEAR],
    "B7": [_YEAR, _DECLARATIONS],
    "V1": [_RECORDS],
    "V2": [_RECORDS, _DECLARATIONS],
    "S1": [_RECORDS],
    "S2.1": [_RECORDS],
    "S2.2": [_RECORDS],
    "S2.3": [_RECORDS],
    "S3": [_RECORDS],
}


def _dossier_url(organisation: Organisation) -> str:
    return reverse("qualification:dossier", args=[organisation.slug])


def _evidence_for(outcome_criterion: str, subject: str, evidence: list[Evidence]) -> list[Evidence]:
    # Evidence for S2 backs S2.1 and S2.2; evidence for B3 backs its parts.
    family = {outcome_criterion, outcome_criterion.split(".")[0]}
    return [e for e in evidence if e.criterion in family and e.subject == subject]


def _rows(results: Iterable, evidence: list[Evidence], labels: dict[str, str]) -> list[dict]:
    """Stored results of a run, or outcomes judged just now, as the outcome tables show them."""
    return [
        {
            "criterion": r.criterion,
            "title": REGISTRY[r.criterion].title if r.criterion in REGISTRY else r.criterion,
            "subject": r.subject,
            "subject_label": labels.get(r.subject, r.subject),
            "status": r.status,
            "status_words": STATUS_WORDS.get(r.status, r.status),
            "qualifying": r.status in QUALIFYING,
            "reason": r.reason,
            "evidence": _evidence_for(r.criterion, r.subject, evidence),
        }
        for r in results
    ]


def _missing(rows: list[dict], organisation: Organisation) -> list[dict]:
    """What the partner can still send or enter, with where to do it."""
    missing = []
    for row in rows:
        if row["status"] not in MISSING or row["criterion"] in ROLL_UPS:
            continue
        actions = [
            (words, reverse(name, args=[organisation.slug]))
            for words, name in WHERE_TO_ENTER.get(row["criterion"], [])
        ]
        # B3.1 reads a wind-down's cases, which are settled on the wind-down's own pages.
        wind_down = wind_down_progress_of(organisation) if row["criterion"] == "B3.1" else None
        if wind_down is not None:
            actions.append(("Your wind-down", wind_down.page))
        if row["status"] == NEEDS_EVIDENCE and row["criterion"] in REVIEWED:
            url = reverse("qualification:evidence_add", args=[organisation.slug])
            actions.append(("Add evidence", f"{url}?{urlencode({'criterion': row['criterion']})}"))
        missing.append({**row, "actions": actions})
    return missing


def _judged_now(organisation: Organisation) -> list[Outcome] | None:
    """The criteria applied to what the partner has entered so far, without keeping a run;
    None while no region is loaded to judge servers against."""
    today = timezone.localdate()
    try:
        snapshot = build_snapshot(organisation, at=today)
    except LookupError:
        return None
    return evaluate(snapshot, parameters_at(today), today)


def _evidence_query(organisation: Organisation):
    return (
        Evidence.objects.filter(organisation=organisation)
        .select_related("server", "service", "submitted_by", "reviewed_by")
        .prefetch_related("comments__author")
    )


# --- the partner's dossier -------------------------------------------------------------


@login_required
def dossier(request: HttpRequest, slug: str) -> HttpResponse:
    membership = membership_for_user(request, slug)
    organisation = membership.organisation
    evidence = list(_evidence_query(organisation))
    run = latest_run(organisation)
    # Before its first evaluation a partner still sees what the criteria ask of it.
    results = run.results.all() if run is not None else _judged_now(organisation) or []
    rows = _rows(results, evidence, subject_labels(organisation))
    return render(
        request,
        "qualification/dossier.html",
        {
            "organisation": organisation,
            "can_edit": membership_may_act(membership),
            "declarations": declarations_of(organisation),
            "years": organisation.financial_years.order_by("-ends"),
            "evidence": evidence,
            "run": run,
            "rows": rows,
            "progress": progress((r["criterion"], r["status"]) for r in rows),
            "missing": _missing(rows, organisation),
        },
    )


def _form_page(request, organisation, form, *, title, submit, intro="", multipart=False):
    return render(
        request,
        "qualification/form.html",
        {
            "organisation": organisation,
            "form": form,
            "title": title,
            "submit": submit,
            "intro": intro,
            "multipart": multipart,
        },
    )


@login_required
def declarations_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_for_user(request, slug, edit=True)
    declared = declarations_of(organisation)
    form = DeclarationsForm(request.POST or None, instance=declared, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            save_declarations(organisation=organisation, actor=request.user, data=data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, "Your declarations were saved and the criteria checked again."
            )
            return redirect(_dossier_url(organisation))
    return _form_page(
        request,
        organisation,
        form,
        title="Declarations",
        submit="Save declarations",
        intro="What your co-op declares for the charter's business criteria. Your legal form and "
        "registration number are on your organisation's details page.",
    )


@login_required
def year_edit(request: HttpRequest, slug: str, ends: str | None = None) -> HttpResponse:
    organisation = organisation_for_user(request, slug, edit=True)
    year = None
    if ends is not None:
        day = year_from_path(ends)
        if day is None:
            raise Http404("No such financial year.")
        year = get_object_or_404(FinancialYear, organisation=organisation, ends=day)
    form = FinancialYearForm(request.POST or None, year=year)
    if request.method == "POST" and form.is_valid():
        try:
            save_financial_year(
                organisation=organisation, actor=request.user, data=form.as_action_data(), year=year
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, "The financial year was saved and the criteria checked again."
            )
            return redirect(_dossier_url(organisation))
    title = f"Year ending {year.ends:%-d %B %Y}" if year else "Add a financial year"
    return _form_page(request, organisation, form, title=title, submit="Save the year")


@login_required
def evidence_add(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_for_user(request, slug, edit=True)
    form = EvidenceForm(
        request.POST or None,
        request.FILES or None,
        organisation=organisation,
        max_bytes=settings.SOLHOST_EVIDENCE_MAX_BYTES,
        initial={"criterion": request.GET.get("criterion", "")},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = None
        if upload is not None:
            if upload.size > settings.SOLHOST_EVIDENCE_MAX_BYTES:
                content = upload.read(settings.SOLHOST_EVIDENCE_MAX_BYTES + 1)
            else:
                content = upload.read()
        try:
            evidence_actions.submit_evidence(
                organisation=organisation,
                actor=request.user,
                data=form.as_action_data(),
                upload=None
                if upload is None
                else (content, upload.name, upload.content_type or ""),
            )
        except UploadError as error:
            for _where, message in error.problems:
                form.add_error("file", f"The file {message}.")
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Your evidence was sent to the steward for review.")
            return redirect(_dossier_url(organisation))
    return _form_page(
        request,
        organisation,
        form,
        title="Add evidence",
        submit="Send for review",
        intro="The steward reviews every piece of evidence. Approved evidence counts until its "
        "valid-until day; you are emailed before it expires.",
        multipart=True,
    )


@login_required
def dossier_export(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = membership_for_user(request, slug).organisation
    document = dossier_document(build_dossier(organisation, at=timezone.localdate()))
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{organisation.slug}-dossier.json"'
    return response


@login_required
def dossier_import(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_for_user(request, slug, edit=True)
    form = DossierImportForm(request.POST or None, request.FILES or None)
    problems: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            changed = import_dossier(
                organisation=organisation,
                actor=request.user,
                document=form.cleaned_data["document"],
            )
        except DossierError as error:
            problems = error.problems
            form.add_error(
                "document",
                f"The dossier has {len(problems)} problem(s), listed below. Nothing was saved.",
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            if changed:
                messages.success(request, f"Imported: {', '.join(changed)}.")
            else:
                messages.info(request, "The dossier matches what is stored; nothing was changed.")
            return redirect(_dossier_url(organisation))
    return render(
        request,
        "qualification/import.html",
        {
            "organisation": organisation,
            "form": form,
            "problems": problems,
            "title": "Import a dossier",
        },
    )


def _may_see_private(user, organisation: Organisation) -> bool:
    if not user.is_authenticated:
        return False
    return (
        is_steward(user) or Membership.objects.filter(user=user, organisation=organisation).exists()
    )


def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(Evidence.objects.select_related("organisation"), pk=pk)
    public = Evidence.objects.filter(shown_publicly(timezone.localdate()), pk=pk).exists()
    if not evidence.file or not (public or _may_see_private(request.user, evidence.organisation)):
        # Evidence nobody else may see does not exist for them, as other organisations'
        # pages do not: 404, not 403.
        raise Http404("No such evidence.")
    inline = evidence.content_type in ("application/pdf", "image/png", "image/jpeg")
    content_type = evidence.content_type
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    response = FileResponse(
        evidence.file.open("rb"),
        content_type=content_type,
        as_attachment=not inline,
        filename=evidence.original_name or f"evidence-{evidence.pk}",
    )
    response["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return response


# --- the steward's review ---------------------------------------------------------------


@steward_required
def review_queue(request: HttpRequest) -> HttpResponse:
    waiting = (
        Evidence.objects.filter(state=Evidence.State.SUBMITTED)
        .select_related("organisation", "server", "service", "submitted_by")
        .order_by("submitted_at", "id")
    )
    applications = Application.objects.filter(state=Application.State.SUBMITTED).order_by(
        "submitted_at"
    )
    recent = (
        Evidence.objects.exclude(state=Evidence.State.SUBMITTED)
        .filter(reviewed_at__isnull=False)
        .select_related("organisation", "reviewed_by", "server", "service")
        .order_by("-reviewed_at")[:10]
    )
    return render(
        request,
        "qualification/review_queue.html",
        {"waiting": waiting, "applications": applications, "recent": recent},
    )


@steward_required
def review_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(
        Evidence.objects.select_related(
            "organisation", "server", "service", "submitted_by"
        ).prefetch_related("comments__author"),
        pk=pk,
    )
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            evidence_actions.review_evidence(
                evidence=evidence,
                reviewer=request.user,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                f"Evidence “{evidence.title}” of {evidence.organisation}: "
                f"{dict(Evidence.State.choices)[form.cleaned_data['decision']].lower()}.",
            )
            return redirect("qualification:review_queue")
    return render(
        request, "qualification/review_evidence.html", {"evidence": evidence, "form": form}
    )


@steward_required
@require_POST
def application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(Application, pk=pk)
    note = request.POST.get("note", "")
    if problem := text_problem(note):
        messages.error(request, f"The note {problem}: nothing was decided.")
        return redirect("qualification:review_queue")
    try:
        if request.POST.get("decision") == "approve":
            organisation = approve_application(
                application=application, reviewer=request.user, note=note
            )
            messages.success(request, f"{organisation} joined the region.")
        else:
            reject_application(application=application, reviewer=request.user, note=note)
            messages.success(request, f"The application of {application.name} was declined.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except DossierError as error:
        messages.error(
            request,
            "The application's dossier has problems: "
            + "; ".join(f"{w}: {m}" for w, m in error.problems),
        )
    return redirect("qualification:review_queue")


# --- applying to join -------------------------------------------------------------------


@login_required
def apply(request: HttpRequest) -> HttpResponse:
    form = ApplicationForm(request.POST or None, request.FILES or None)
    problems: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ApplicationForm.Meta.fields}
        data["dossier"] = form.cleaned_data["dossier_file"]
        try:
            application = submit_application(applicant=request.user, data=data)
        except DossierError as error:
            problems = error.problems
            form.add_error(
                "dossier_file",
                f"The dossier has {len(problems)} problem(s), listed above. Nothing was sent.",
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Your application was sent to the steward.")
            return redirect("qualification:application_status", pk=application.pk)
    mine = Application.objects.filter(applicant=request.user).order_by("-submitted_at", "-id")
    return render(
        request,
        "qualification/apply.html",
        {"form": form, "problems": problems, "applications": mine},
    )


@login_required
def application_status(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(Application.objects.select_related("organisation"), pk=pk)
    # Only the applicant and the steward know an application exists.
    if application.applicant_id != request.user.pk and not is_steward(request.user):
        raise Http404("No such application.")
    return render(request, "qualification/application.html", {"application": application})


# --- public -----------------------------------------------------------------------------


def public_qualification(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug, kind=Organisation.Kind.PARTNER)
    run = latest_run(organisation)
    public_evidence = list(
        Evidence.objects.filter(
            shown_publicly(timezone.localdate()), organisation=organisation
        ).select_related("server", "service")
    )
    labels = subject_labels(organisation)
    rows = _rows(run.results.all() if run else [], public_evidence, labels)
    history = (
        QualificationRun.objects.filter(organisation=organisation)
        .exclude(changes=[])
        .order_by("-evaluated_at", "-id")[:HISTORY_LENGTH]
    )
    partner_rows = [r for r in rows if r["subject"] == "partner"]
    service_rows = [r for r in rows if r["subject"].startswith("service:")]
    server_rows = [r for r in rows if r["subject"].startswith("server:")]
    return render(
        request,
        "qualification/public.html",
        {
            "partner": organisation,
            "run": run,
            "sections": [
                ("partner-criteria", "The co-op (business criteria)", partner_rows),
                ("service-criteria", "Services", service_rows),
                ("server-criteria", "Servers", server_rows),
            ],
            "history": [(past, changes_in_words(past.changes, labels)) for past in history],
            "progress": progress((r["criterion"], r["status"]) for r in rows),
            "parameters": _parameters_in_words(run.parameters if run else {}),
        },
    )


def _parameters_in_words(used: dict[str, object]) -> list[tuple[str, str, str]]:
    """The parameter values a run used, as (title, key, value in words)."""
    described = {p.key: p for p in Parameter.objects.filter(key__in=used)}
    return [
        (described[key].title, key, value_in_words(described[key].kind, described[key].unit, value))
        if key in described
        else (key, key, str(value))
        for key, value in used.items()
    ]
