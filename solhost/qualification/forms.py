"""Forms for the dossier, evidence and review pages. They validate; actions.py writes."""

import datetime

from django import forms
from django.db.models import Q

from solhost.core.forms import URLField, formfield
from solhost.core.money import format_decimal
from solhost.core.problems import InputProblems
from solhost.core.safe_json import load_json
from solhost.partners.forms import DateInput
from solhost.partners.models import Organisation
from solhost.qualification.actions.applications import APPLICATION_DETAILS
from solhost.qualification.actions.declarations import DECLARATION_FIELDS
from solhost.qualification.models import (
    CRITERION_CHOICES,
    Application,
    Declarations,
    Evidence,
    FinancialYear,
)
from solhost.qualification.rules import CRITERIA

MONEY_FIELDS = (
    ("gross_revenue_cents", "Gross revenue", "Everything the co-op earned in the year."),
    ("labour_payments_cents", "Labour payments", "Wages, salaries and other payments to workers."),
    ("surplus_cents", "Surplus", "What is left after paying workers; negative for a loss (B1.1)."),
    (
        "investor_returns_cents",
        "Investor returns",
        "Dividends, equity returns and profit shares paid to investors (B1.2).",
    ),
    (
        "loan_repayments_cents",
        "Loan repayments",
        "Repayments of loans for equipment and set-up costs (allowed).",
    ),
    (
        "land_back_cents",
        "Land-back contributions",
        "Paid to land-back programs such as Pay the Rent (B7).",
    ),
)


class DeclarationsForm(forms.ModelForm):
    class Meta:
        model = Declarations
        formfield_callback = formfield
        fields = DECLARATION_FIELDS
        widgets = {"lores_recommended": forms.CheckboxSelectMultiple}

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["lores_recommended"]
        # A service the LoRes sync found on the mesh may be recommended before its
        # partner types a LoRes address, and one with an address before the next sync.
        field.queryset = organisation.services.filter(
            ~Q(lores_url="") | Q(on_lores__isnull=False)
        ).order_by("name")
        if not field.queryset.exists():
            del self.fields["lores_recommended"]
        for name in ("statement_of_structure", "pay_ratio_plan", "union_description"):
            self.fields[name].widget.attrs["rows"] = 4

    def clean(self):
        data = super().clean()
        workers, members = data.get("union_workers"), data.get("union_members")
        if (workers is None) != (members is None):
            self.add_error(
                "union_members" if members is None else "union_workers",
                "Give both the number of workers and how many are union members, or neither.",
            )
        elif workers is not None and members is not None and members > workers:
            self.add_error("union_members", f"Cannot be more than the workers ({workers}).")
        return data


class FinancialYearForm(forms.Form):
    """A year's figures in dollars and cents as people write them; stored as whole cents."""

    ends = forms.DateField(
        label="Year ends",
        widget=DateInput,
        help_text="The last day of the financial year, e.g. 30 June.",
    )
    fte = forms.DecimalField(
        label="Full-time-equivalent workers",
        min_value=0,
        max_value=10000,
        decimal_places=2,
        help_text="For example 2.5 for two full-timers and one half-timer.",
    )

    def __init__(self, *args, year: FinancialYear | None = None, **kwargs):
        if year is not None:
            kwargs.setdefault(
                "initial",
                {
                    "ends": year.ends,
                    "fte": year.fte,
                    **{name: format_decimal(getattr(year, name)) for name, _, _ in MONEY_FIELDS},
                },
            )
        super().__init__(*args, **kwargs)
        for name, label, help_text in MONEY_FIELDS:
            self.fields[name] = forms.DecimalField(
                label=f"{label} (AUD)",
                decimal_places=2,
                max_digits=14,
                min_value=None if name == "surplus_cents" else 0,
                help_text=help_text,
            )

    def clean(self):
        data = super().clean()
        labour, fte = data.get("labour_payments_cents"), data.get("fte")
        if labour and fte == 0:
            self.add_error("fte", "Must be above 0 when labour payments are declared.")
        return data

    def as_action_data(self) -> dict:
        data = self.cleaned_data
        return {
            "ends": data["ends"],
            "fte": data["fte"],
            **{name: int(data[name] * 100) for name, _, _ in MONEY_FIELDS},
        }


# Evidence may back a criterion or a family of them; S2 is not a check of its own.
EVIDENCE_TITLES = {
    **{criterion.id: criterion.title for criterion in CRITERIA},
    "S2": "Renewable supply of a data centre (S2.1 and S2.2)",
}


class EvidenceForm(forms.Form):
    criterion = forms.ChoiceField(
        choices=[(c, f"{c} {EVIDENCE_TITLES[c]}") for c, _ in CRITERION_CHOICES],
        help_text="The charter criterion this shows, e.g. B1.4 Labour solidarity for union "
        "membership.",
    )
    subject = forms.ChoiceField(
        label="About", help_text="The co-op as a whole, or one server or service."
    )
    title = forms.CharField(
        max_length=160, help_text="What it is, e.g. “Union membership list, 2026”."
    )
    file = forms.FileField(
        required=False,
        help_text="A PDF, PNG, JPEG, plain text or CSV file.",
    )
    link = URLField(
        required=False,
        assume_scheme="https",
        help_text="Or an address where the steward can read it.",
    )
    public = forms.BooleanField(
        required=False,
        label="Show this evidence to the public",
        help_text="Private evidence is seen only by your co-op and the steward.",
    )
    valid_from = forms.DateField(required=False, widget=DateInput)
    valid_until = forms.DateField(
        required=False, widget=DateInput, help_text="Leave empty if it does not expire."
    )

    def __init__(self, *args, organisation: Organisation, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        megabytes = max_bytes / (1024 * 1024)
        self.fields[
            "file"
        ].help_text = f"A PDF, PNG, JPEG, plain text or CSV file, up to {megabytes:g} MB."
        self.fields["subject"].choices = [
            ("partner", f"{organisation.name} as a whole"),
            *[
                (f"server:{s.pk}", f"Server {s.name}")
                for s in organisation.servers.order_by("name")
            ],
            *[
                (f"service:{s.pk}", f"Service {s.name}")
                for s in organisation.services.order_by("name")
            ],
        ]

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("link") and "file" not in self.errors:
            self.add_error("file", "Upload a file or give a link.")
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", f"Must not be before the start ({start:%-d %B %Y}).")
        return data

    def as_action_data(self) -> dict:
        data = self.cleaned_data
        kind, _, pk = data["subject"].partition(":")
        return {
            "criterion": data["criterion"],
            "server": self.organisation.servers.get(pk=pk) if kind == "server" else None,
            "service": self.organisation.services.get(pk=pk) if kind == "service" else None,
            "title": data["title"],
            "link": data["link"],
            "public": data["public"],
            "valid_from": data["valid_from"],
            "valid_until": data["valid_until"],
        }


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (Evidence.State.APPROVED, "Approve"),
            (Evidence.State.MORE_REQUESTED, "Ask for more"),
            (Evidence.State.REJECTED, "Reject"),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when you reject or ask for more: the partner sees it.",
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") in (Evidence.State.REJECTED, Evidence.State.MORE_REQUESTED)
            and not (data.get("comment") or "").strip()
        ):
            self.add_error("comment", "Say what is wrong or what more is needed.")
        return data


class DossierImportForm(forms.Form):
    document = forms.FileField(
        label="Dossier file (JSON)",
        help_text="A dossier document as described by the published schema.",
    )

    def clean_document(self):
        return _json_document(self.cleaned_data["document"])


def _json_document(upload) -> object:
    try:
        return load_json(upload.read())
    except InputProblems as error:
        raise forms.ValidationError(
            [
                f"This file {m}." if w == "$" else f"In this file, {w} {m}."
                for w, m in error.problems
            ]
        ) from None


class ApplicationForm(forms.ModelForm):
    dossier_file = forms.FileField(
        label="Dossier file (JSON)",
        required=False,
        help_text="Optional: your dossier document as described by the published schema. "
        "You can also fill in the dossier after you are approved.",
    )

    class Meta:
        model = Application
        fields = APPLICATION_DETAILS
        labels = {
            "name": "Name of the organisation",
            "slug": "Short name",
            "contact_email": "Contact email",
        }
        help_texts = {
            "registration_number": "For example your co-operative or incorporated association number.",
            "contact_email": "Where the steward writes about this application.",
        }
        formfield_callback = formfield

    def clean_dossier_file(self):
        upload = self.cleaned_data.get("dossier_file")
        return None if upload is None else _json_document(upload)


def year_from_path(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None
