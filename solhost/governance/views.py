"""The network's decisions: parse, authorise, call one action, render.

Decisions, their tallies and the parameters' histories are public: the rules that govern
the region are nobody's secret. Who voted what, and their comments, are shown to the
network (anyone with a membership in an organisation); drafts to the organisation that
raises them.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from solhost.core.forms import add_errors
from solhost.core.models import Parameter, ParameterValue, parameter_value, values_in_force
from solhost.governance import actions, queries
from solhost.governance.forms import ChangeForm, ProposalForm, VoteForm
from solhost.governance.models import Proposal, ProposedChange
from solhost.partners.models import Organisation
from solhost.partners.permissions import may_act_for, organisations_user_acts_for

Status = Proposal.Status


def _in_network(request: HttpRequest) -> bool:
    return request.user.is_authenticated and request.user.memberships.exists()


def _visible(request: HttpRequest, pk: int) -> Proposal:
    proposal = get_object_or_404(Proposal.objects.select_related("raised_by", "author"), pk=pk)
    if proposal.status == Status.DRAFT and not (
        request.user.is_authenticated
        and request.user.memberships.filter(organisation=proposal.raised_by).exists()
    ):
        raise Http404("No such decision.")
    return proposal


def _draft_for_editing(request: HttpRequest, pk: int) -> Proposal:
    proposal = _visible(request, pk)
    if not may_act_for(request.user, proposal.raised_by):
        raise PermissionDenied("Only the admins of the organisation that raised it can change it.")
    if proposal.status != Status.DRAFT:
        messages.warning(request, "This proposal is no longer a draft: it can't be changed.")
    return proposal


def index(request: HttpRequest) -> HttpResponse:
    proposals = Proposal.objects.select_related("raised_by").annotate(vote_count=Count("votes"))
    acting_for = organisations_user_acts_for(request.user)
    drafts = proposals.filter(status=Status.DRAFT, raised_by__in=acting_for)
    return render(
        request,
        "governance/index.html",
        {
            "open": proposals.filter(status=Status.OPEN).order_by("closes_at"),
            "past": proposals.exclude(status__in=[Status.DRAFT, Status.OPEN]).order_by(
                "-closed_at", "-id"
            ),
            "drafts": drafts,
            "can_propose": bool(acting_for),
        },
    )


def decision(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible(request, pk)
    return _decision_page(request, proposal, vote_form=None)


def _decision_page(request: HttpRequest, proposal: Proposal, *, vote_form):
    votes = list(proposal.votes.select_related("organisation", "cast_by"))
    may_vote = [
        o
        for o in organisations_user_acts_for(request.user)
        if proposal.electorate.filter(pk=o.pk).exists()
    ]
    voting = proposal.is_open_for_votes()
    if vote_form is None and voting and may_vote:
        mine = {v.organisation_id: v for v in votes}.get(may_vote[0].pk)
        initial = (
            {"choice": mine.choice, "value": mine.value, "comment": mine.comment} if mine else {}
        )
        vote_form = VoteForm(proposal=proposal, organisations=_queryset(may_vote), initial=initial)
    changes = list(proposal.changes.select_related("parameter"))
    current = values_in_force([change.parameter.key for change in changes], at=timezone.localdate())
    for change in changes:
        change.current = current.get(change.parameter.key)
    electorate = proposal.electorate.count()
    return render(
        request,
        "governance/decision.html",
        {
            "proposal": proposal,
            "changes": changes,
            # A median decision changes one number: the values proposed are read in its unit.
            "median_change": changes[0]
            if proposal.decision_type == Proposal.DecisionType.MEDIAN and changes
            else None,
            "votes": votes,
            "show_votes": _in_network(request),
            "electorate": electorate,
            "not_voted": proposal.electorate.exclude(votes__proposal=proposal)
            if proposal.status != Status.DRAFT
            else [],
            "outcome": queries.count(proposal) if proposal.status != Status.DRAFT else None,
            "voting": voting,
            "vote_form": vote_form,
            "can_edit": proposal.status == Status.DRAFT
            and may_act_for(request.user, proposal.raised_by),
        },
    )


def _queryset(organisations: list[Organisation]):
    return Organisation.objects.filter(pk__in=[o.pk for o in organisations])


@login_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible(request, pk)
    acting_for = organisations_user_acts_for(request.user)
    if not acting_for:
        raise PermissionDenied("Only organisations' admins vote, for their organisation.")
    # Any member organisation parses, so that voting for another one is refused by the
    # action, as a permission error, rather than as a puzzling form error.
    form = VoteForm(request.POST, proposal=proposal, organisations=proposal.electorate.all())
    if form.is_valid():
        try:
            actions.cast_vote(
                proposal=proposal,
                organisation=form.cleaned_data["organisation"],
                actor=request.user,
                choice=form.cleaned_data["choice"],
                value=form.cleaned_data.get("value"),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                f"Vote recorded for {form.cleaned_data['organisation']}. You can change it until the decision closes.",
            )
            return redirect(proposal)
    return _decision_page(request, proposal, vote_form=form)


@login_required
def propose(request: HttpRequest) -> HttpResponse:
    acting_for = organisations_user_acts_for(request.user)
    if not acting_for:
        raise PermissionDenied("Only organisations' admins raise proposals.")
    form = ProposalForm(request.POST or None, organisations=_queryset(acting_for))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            proposal = actions.create_proposal(author=request.user, **data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, "Draft saved. Add the changes it makes, then open it for votes."
            )
            return redirect("governance:draft", pk=proposal.pk)
    return render(
        request,
        "governance/propose.html",
        {"form": form},
    )


@login_required
def draft(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft's page: its text, the changes so far, a form to add one, and the open button."""
    proposal = _draft_for_editing(request, pk)
    if proposal.status != Status.DRAFT:
        return redirect(proposal)
    text_form = _text_form(proposal, request.POST if request.method == "POST" else None)
    if request.method == "POST" and text_form.is_valid():
        data = dict(text_form.cleaned_data)
        data.pop("organisation")
        try:
            actions.update_proposal(proposal=proposal, actor=request.user, **data)
        except ValidationError as error:
            add_errors(text_form, error)
        else:
            messages.success(request, "Draft saved.")
            return redirect("governance:draft", pk=proposal.pk)
    return _draft_page(request, proposal, text_form=text_form, change_form=ChangeForm())


def _text_form(proposal: Proposal, data=None) -> ProposalForm:
    fields = ("title", "reasoning", "resolution", "decision_type", "effective_from")
    initial = {name: getattr(proposal, name) for name in fields}
    return ProposalForm(
        data,
        organisations=_queryset([proposal.raised_by]),
        initial={"organisation": proposal.raised_by, **initial},
    )


def _draft_page(request, proposal, *, text_form=None, change_form=None, open_errors=()):
    text_form = text_form or _text_form(proposal)
    min_days_key = actions.MIN_OPEN_DAYS_PARAMETER[proposal.decision_type]
    min_days = parameter_value(min_days_key, at=timezone.localdate())
    return render(
        request,
        "governance/draft.html",
        {
            "proposal": proposal,
            "changes": proposal.changes.select_related("parameter"),
            "text_form": text_form,
            "change_form": change_form or ChangeForm(),
            "open_errors": open_errors,
            "min_days": min_days,
            "closes_if_opened_now": timezone.now() + datetime.timedelta(days=int(min_days)),
        },
    )


@login_required
@require_POST
def add_change(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _draft_for_editing(request, pk)
    form = ChangeForm(request.POST)
    if form.is_valid():
        try:
            actions.add_change(
                proposal=proposal,
                actor=request.user,
                parameter=form.cleaned_data["parameter"],
                new_value=form.cleaned_value(),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Change to {form.cleaned_data['parameter'].title} added.")
            return redirect("governance:draft", pk=proposal.pk)
    return _draft_page(request, proposal, change_form=form)


@login_required
@require_POST
def remove_change(request: HttpRequest, pk: int, change_pk: int) -> HttpResponse:
    proposal = _draft_for_editing(request, pk)
    change = get_object_or_404(ProposedChange, pk=change_pk, proposal=proposal)
    try:
        actions.remove_change(change=change, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Change to {change.parameter.title} removed.")
    return redirect("governance:draft", pk=proposal.pk)


@login_required
@require_POST
def open_for_votes(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _draft_for_editing(request, pk)
    try:
        actions.open_proposal(proposal=proposal, actor=request.user)
    except ValidationError as error:
        return _draft_page(request, proposal, open_errors=error.messages)
    messages.success(request, "The proposal is open: every member organisation has been emailed.")
    return redirect(proposal)


def parameters(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = []
    for parameter in Parameter.objects.prefetch_related(
        Prefetch("values", queryset=ParameterValue.objects.order_by("-effective_from"))
    ):
        values = list(parameter.values.all())
        current = next((v for v in values if v.effective_from <= today), None)
        upcoming = [v for v in values if v.effective_from > today]
        rows.append({"parameter": parameter, "current": current, "upcoming": upcoming[-1:]})
    return render(request, "governance/parameters.html", {"rows": rows, "today": today})


def parameter_history(request: HttpRequest, key: str) -> HttpResponse:
    parameter = get_object_or_404(Parameter, key=key)
    today = timezone.localdate()
    values = list(parameter.values.order_by("-effective_from"))
    decisions = {
        p.source_label: p
        for p in Proposal.objects.filter(
            status=Status.ENACTED, changes__parameter=parameter
        ).distinct()
    }
    current = next((v for v in values if v.effective_from <= today), None)
    rows = [
        {
            "value": v,
            "decision": decisions.get(v.source),
            "state": "upcoming"
            if v.effective_from > today
            else ("in force" if v == current else "past"),
        }
        for v in values
    ]
    pending = Proposal.objects.filter(
        status__in=[Status.OPEN, Status.CLOSED], changes__parameter=parameter
    ).distinct()
    return render(
        request,
        "governance/parameter.html",
        {"parameter": parameter, "rows": rows, "pending": pending},
    )
