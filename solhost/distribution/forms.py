from django import forms
from django.utils import timezone

from solhost.contributions.forms import AmountField
from solhost.partners.models import Organisation


class PayoutForm(forms.Form):
    """One transfer from the steward's bank account to a partner."""

    partner = forms.ModelChoiceField(
        label="Partner",
        queryset=Organisation.objects.none(),
        empty_label="Choose a partner",
        error_messages={"invalid_choice": "Choose one of the partners listed."},
    )
    amount = AmountField(label="Amount, in dollars", help_text="e.g. 120 or 120.50")
    paid_on = forms.DateField(
        label="Date paid", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    bank_reference = forms.CharField(
        label="Bank reference",
        max_length=140,
        required=False,
        help_text="The transfer's reference, as the bank shows it.",
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners

    def clean_paid_on(self):
        day = self.cleaned_data["paid_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date is in the future.")
        return day
