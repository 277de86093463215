from django import forms
from django.utils import timezone

from solhost.contributions.forms import AmountField
from solhost.distribution.models import PaymentReversal
from solhost.metering.periods import parse_period
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


class MonthForm(forms.Form):
    """A month the steward wants to look at before closing it."""

    period = forms.CharField(
        label="Month",
        max_length=7,
        help_text="As YYYY-MM, e.g. 2026-10.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_period(self):
        period = self.cleaned_data["period"].strip()
        try:
            parse_period(period)
        except ValueError as error:
            raise forms.ValidationError(f"{error}.") from None
        return period


class CloseForm(forms.Form):
    """The steward's confirmation that the previewed figures are the ones to close."""

    confirm = forms.BooleanField(
        label="I have checked these figures",
        error_messages={"required": "Tick “I have checked these figures” to close the month."},
    )
    # The preview's input hash: the close goes ahead only if the figures are still these.
    input_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean(self):
        # The hash is hidden, so a problem with it is told above the form, not on a field.
        if self.errors.pop("input_hash", None):
            self.add_error(
                None,
                "The figures you confirmed could not be read; check the figures below and confirm again.",
            )
        return self.cleaned_data


class BankAccountForm(forms.Form):
    """Where a partner's payouts are credited."""

    account_name = forms.CharField(
        label="Account name", max_length=32, help_text="As your bank has it; 32 characters at most."
    )
    bsb = forms.CharField(
        label="BSB",
        max_length=20,
        help_text="Six digits, e.g. 062-000.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    account_number = forms.CharField(
        label="Account number",
        max_length=20,
        help_text="Up to 9 digits, e.g. 12345678.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class BatchForm(forms.Form):
    """A new payout batch: the day the bank is to make its payments."""

    process_on = forms.DateField(
        label="Day the bank makes the payments",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class SentForm(forms.Form):
    """The steward sent a batch's file to the bank."""

    sent_on = forms.DateField(
        label="Day the file was sent",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ReversalForm(forms.Form):
    """A payment given back: how, when, and why."""

    kind = forms.ChoiceField(
        label="What happened",
        choices=PaymentReversal.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a refund or a reversal by the bank."},
    )
    reversed_on = forms.DateField(
        label="Day the money left the bank",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(label="Why", max_length=200, help_text="Kept in the books.")
