"""The steward imports bank statements and says what the unmatched lines are."""

from django.contrib import messages
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from solhost.contributions import statement_actions
from solhost.contributions.forms import StatementForm, StatementLineForm
from solhost.contributions.models import StatementLine
from solhost.contributions.statement_actions import Decision
from solhost.core.forms import add_errors
from solhost.core.money import format_aud
from solhost.core.problems import InputProblems
from solhost.partners.permissions import steward_required

MAX_STATEMENT_BYTES = 5_000_000
FORMAT_NAMES = {"camt053": "CAMT.053", "ofx": "OFX", "csv": "CSV"}


@steward_required
def statement(request: HttpRequest) -> HttpResponse:
    form = StatementForm(
        request.POST or None,
        request.FILES or None,
        mappings=statement_actions.mapping_choices(),
    )
    problems: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_STATEMENT_BYTES:
                raise InputProblems(
                    [("file", f"is larger than {MAX_STATEMENT_BYTES // 1_000_000} MB; split it")]
                )
            result = statement_actions.import_statement(
                data=upload.read(),
                format=form.cleaned_data["format"],
                mapping=form.cleaned_data["mapping"],
                actor=request.user,
            )
        except InputProblems as error:
            problems = error.problems
        except IntegrityError:
            problems = [
                (
                    "file",
                    "another import stored some of these lines at the same moment; import it again",
                )
            ]
        else:
            messages.success(
                request,
                f"Imported the {FORMAT_NAMES[result.format]} statement: {result.summary()}.",
            )
            return redirect("contributions:statement")
    return render(
        request,
        "contributions/statement.html",
        {
            "form": form,
            "problems": problems,
            "queued": StatementLine.objects.filter(status=StatementLine.Status.QUEUED).count(),
        },
    )


def _decided(line: StatementLine, data: dict) -> str:
    what = f"{format_aud(line.amount_cents)} of {line.booked_on.day} {line.booked_on:%b %Y}"
    if data["decision"] == Decision.RESIDENT:
        return f"Recorded {what} as {data['resident_user']}'s payment."
    if data["decision"] == Decision.GIFT:
        return f"Recorded {what} as a gift to the solidarity fund."
    return f"Marked {what} as not ours."


@steward_required
def statement_queue(request: HttpRequest) -> HttpResponse:
    lines = list(StatementLine.objects.filter(status=StatementLine.Status.QUEUED))
    posted = None
    if request.method == "POST":
        chosen = request.POST.get("line", "")
        posted = next((line for line in lines if str(line.pk) == chosen), None)
        if posted is None:
            raise Http404("No such line waiting in the queue.")
    forms = []
    for line in lines:
        form = StatementLineForm(request.POST if line is posted else None, prefix=f"line-{line.pk}")
        if line is posted and form.is_valid():
            try:
                statement_actions.decide_statement_line(
                    line=line,
                    decision=Decision(form.cleaned_data["decision"]),
                    resident=form.cleaned_data.get("resident_user"),
                    actor=request.user,
                )
            except InputProblems as error:
                add_errors(form, error)
            else:
                messages.success(request, _decided(line, form.cleaned_data))
                return redirect("contributions:statement_queue")
        forms.append((line, form))
    return render(request, "contributions/statement_queue.html", {"forms": forms})
