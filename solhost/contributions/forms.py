from django import forms
from django.utils import timezone

from solhost.core.money import format_aud, parse_aud
from solhost.identity.models import User

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


class SponsorSeatForm(forms.Form):
    """One member of the organisation and what it pays for their seat each month."""

    resident = forms.ModelChoiceField(
        label="Member",
        queryset=None,
        empty_label="Choose a member",
        error_messages={"invalid_choice": "Choose one of your organisation's members."},
    )
    amount = AmountField(
        label="Monthly amount, in dollars",
        help_text="What your organisation pays for this seat each month, e.g. 12 or 12.50. "
        "Sponsoring a member again changes the amount.",
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = members

    def clean_amount(self):
        cents = self.cleaned_data["amount"]
        if cents is not None and cents <= 0:
            raise forms.ValidationError("A sponsored seat costs more than zero.")
        return cents


class StatementForm(forms.Form):
    """A bank statement file, its format (or detect it) and, for a CSV, its bank's layout."""

    file = forms.FileField(
        label="Statement file",
        help_text="CAMT.053 (XML), OFX or CSV, as exported by the bank.",
    )
    format = forms.ChoiceField(
        label="Format",
        choices=[
            ("", "Tell from the file"),
            ("camt053", "ISO 20022 CAMT.053 (XML)"),
            ("ofx", "OFX"),
            ("csv", "CSV"),
        ],
        required=False,
    )
    mapping = forms.ChoiceField(
        label="CSV layout",
        required=False,
        help_text="Only for a CSV: the bank that exported it, or a layout saved in the admin.",
    )

    def __init__(self, *args, mappings: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mapping"].choices = [("", "Not a CSV"), *mappings]


class StatementLineForm(forms.Form):
    """What one unmatched credit is: a resident's payment, a gift, or not the region's money."""

    decision = forms.ChoiceField(
        label="This money is",
        widget=forms.RadioSelect,
        choices=[
            ("resident", "A resident's payment"),
            ("gift", "A gift to the solidarity fund"),
            ("not_ours", "Not ours (kept and marked)"),
        ],
    )
    resident = forms.CharField(
        label="Resident",
        required=False,
        max_length=150,
        help_text="Only for a resident's payment: their username or payment reference.",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "resident":
            name = (data.get("resident") or "").strip()
            found = (
                User.objects.filter(username__iexact=name).first()
                or User.objects.filter(payment_reference__code__iexact=name).first()
                if name
                else None
            )
            if found is None:
                self.add_error(
                    "resident",
                    f"No resident has the username or payment reference {name!r}."
                    if name
                    else "Write the resident's username or payment reference.",
                )
            data["resident_user"] = found
        return data


class PledgeForm(forms.Form):
    """An amount (or $0) and how often, from a first day."""

    amount = AmountField(label="Amount, in dollars", help_text="e.g. 5 or 12.50; 0 is fine.")
    frequency = forms.ChoiceField(
        label="How often",
        widget=forms.RadioSelect,
        choices=[
            ("weekly", "Every week"),
            ("fortnightly", "Every fortnight"),
            ("monthly", "Every month"),
            ("yearly", "Every year"),
        ],
        initial="monthly",
    )
    starts_on = forms.DateField(
        label="First payment on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Set your bank's recurring transfer to start on this day.",
    )
