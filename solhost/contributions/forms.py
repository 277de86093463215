from django import forms
from django.utils import timezone

from solhost.contributions.money import format_aud, parse_aud

CUSTOM = "custom"


class AmountField(forms.CharField):
    """Dollars as typed (12, 12.50, $12.50), cleaned to whole cents."""

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_aud(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class ContributionForm(forms.Form):
    """A tier of the sliding scale, or an amount of one's own."""

    tier = forms.ChoiceField(label="Your monthly contribution", widget=forms.RadioSelect)
    custom = AmountField(
        label="Your own amount, in dollars a month",
        required=False,
        help_text="Only if you chose “another amount”, e.g. 8 or 8.50.",
    )

    def __init__(self, *args, tiers: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (str(c), "Nothing for now" if c == 0 else f"{format_aud(c)} a month") for c in tiers
        ]
        self.fields["tier"].choices = [*choices, (CUSTOM, "Another amount")]

    def clean(self):
        data = super().clean()
        if data.get("tier") == CUSTOM:
            if data.get("custom") is None:
                self.add_error("custom", "Write the amount you want to give each month.")
            else:
                data["monthly_cents"] = data["custom"]
        elif data.get("tier") is not None:
            data["monthly_cents"] = int(data["tier"])
        return data


class PaymentForm(forms.Form):
    received_on = forms.DateField(
        label="Date received", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reference = forms.CharField(label="Payment reference", max_length=20)
    amount = AmountField(label="Amount, in dollars", help_text="e.g. 12 or 12.50")
    token = forms.CharField(widget=forms.HiddenInput)

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date is in the future.")
        return day


class PaymentsCsvForm(forms.Form):
    file = forms.FileField(
        label="Bank CSV file",
        help_text="Three columns: date (2026-10-03), reference, amount in dollars (12.50).",
    )
