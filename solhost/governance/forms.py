from django import forms

from solhost.core.models import Parameter
from solhost.core.parameter_types import BASIS_POINTS, CENTS, INTEGER, TEXT_LIST
from solhost.governance.models import Proposal, Vote
from solhost.governance.wording import value_in_words

NUMBER_KINDS = (INTEGER, BASIS_POINTS, CENTS)


def _organisation_field(organisations, label: str) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(queryset=organisations, label=label, empty_label=None)
    if len(organisations) == 1:
        # Nothing to choose: the one organisation goes in a hidden field, already filled.
        field.widget = forms.HiddenInput()
        field.initial = organisations[0].pk
    return field


class ProposalForm(forms.Form):
    title = forms.CharField(max_length=200)
    reasoning = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), help_text="Why the network should decide this."
    )
    resolution = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the network resolves, in words. Needed if the proposal changes no "
        "parameter, e.g. “Adopt the interoperability guideline”.",
    )
    decision_type = forms.ChoiceField(
        choices=Proposal.DecisionType.choices,
        widget=forms.RadioSelect,
        label="How the network decides",
        help_text="Consent: passes unless someone blocks. Majority: more than the threshold "
        "of votes, with a quorum. Median of proposals: each organisation proposes a number "
        "and the median is adopted.",
    )
    effective_from = forms.DateField(
        required=False,
        label="Changes take effect on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Needed if the proposal changes parameters; after the day it closes.",
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = _organisation_field(organisations, "Raised by")
        self.order_fields(["organisation"])


class ParameterField(forms.ModelChoiceField):
    """Parameters by title, with the key the API and the parameters page also give."""

    def label_from_instance(self, obj: Parameter) -> str:
        return f"{obj.title} ({obj.key})"


class ChangeForm(forms.Form):
    parameter = ParameterField(queryset=Parameter.objects.all(), to_field_name="key")
    new_value = forms.CharField(
        label="New value",
        help_text="A whole number for numbers, basis points and cents (e.g. 1500 for 15%, "
        "2500 for $25.00); for lists, one entry per line.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def cleaned_value(self) -> object:
        """The typed value as JSON: a number where the kind wants one, else the text."""
        parameter, text = self.cleaned_data["parameter"], self.cleaned_data["new_value"].strip()
        if parameter.kind in NUMBER_KINDS:
            try:
                return int(text.replace(",", "").replace("_", ""))
            except ValueError:
                return text
        if parameter.kind == TEXT_LIST:
            return [line.strip() for line in text.splitlines() if line.strip()]
        return text


class VoteForm(forms.Form):
    choice = forms.ChoiceField(widget=forms.RadioSelect, label="Your organisation's vote")
    value = forms.IntegerField(
        required=False,
        label="The value you propose",
        help_text="Needed if you propose a value.",
    )
    comment = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Comment"
    )

    def __init__(self, *args, proposal: Proposal, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = _organisation_field(organisations, "Voting for")
        self.order_fields(["organisation"])
        allowed = {
            Proposal.DecisionType.CONSENT: ("agree", "disagree", "abstain", "block"),
            Proposal.DecisionType.MAJORITY: ("agree", "disagree", "abstain"),
            Proposal.DecisionType.MEDIAN: ("propose", "abstain"),
        }[proposal.decision_type]
        labels = dict(Vote.Choice.choices)
        if proposal.decision_type == Proposal.DecisionType.CONSENT:
            labels["disagree"] = "Disagree, but do not block"
        self.fields["choice"].choices = [(c, labels[c]) for c in allowed]
        if proposal.decision_type != Proposal.DecisionType.MEDIAN:
            del self.fields["value"]
        else:
            change = proposal.changes.select_related("parameter").first()
            if change is not None:
                # The value is typed as stored (cents, basis points): the proposer's own,
                # written both ways, shows how to read the unit.
                parameter, example = change.parameter, change.new_value
                in_words = value_in_words(parameter.kind, parameter.unit, example)
                self.fields["value"].help_text = (
                    f"{parameter.title}, as a whole number in {parameter.unit or 'its unit'}: "
                    f"{example} is {in_words}. Needed if you propose a value."
                )

    def clean(self):
        data = super().clean()
        if data.get("choice") == "propose" and data.get("value") is None:
            self.add_error("value", "Give the value your organisation proposes.")
        return data
