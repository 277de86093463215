"""What qualification stores: the partner's declarations, evidence, applications, runs, cloud ranges.

Servers and services stay in ``partners`` (and power systems in ``energy``); the dossier
the checks see is built from all of them by ``solhost.qualification.gather``.
"""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from solhost.partners.models import Organisation, Server, Service
from solhost.qualification.dossier_document import subject_id

CRITERIA = (
    "B1.1",
    "B1.2",
    "B1.3",
    "B1.4",
    "B2",
    "B3",
    "B3.1",
    "B3.2",
    "B3.3",
    "B4",
    "B5.1",
    "B5.2",
    "B6",
    "B7",
    "V1",
    "V2",
    "S1",
    "S2",
    "S2.1",
    "S2.2",
    "S2.3",
    "S3",
)
CRITERION_CHOICES = [(c, c) for c in CRITERIA]


class Declarations(models.Model):
    """What a partner declares about itself beyond its organisation record (charter B1–B7)."""

    class RunBy(models.TextChoices):
        SETTLERS = "settlers", "Settlers"
        FIRST_NATIONS = "first_nations", "First Nations people"

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="declarations"
    )
    run_by = models.CharField(
        max_length=16,
        choices=RunBy.choices,
        default=RunBy.SETTLERS,
        help_text="Who runs the co-op. First Nations-run is self-declared and reviewed by the steward (B7).",
    )
    land_back_withheld_by_platform = models.BooleanField(
        "Platform withholds our land-back share",
        default=False,
        help_text="A settler-run partner may ask the platform to pay its land-back share from payouts.",
    )
    statement_of_structure = models.TextField(
        blank=True,
        help_text="If you are not a registered co-operative: how solidarity-economy alignment is written into your structure (B1.3).",
    )
    pay_ratio_plan = models.TextField(
        "Plan against widening inequality",
        blank=True,
        help_text="For example a cap on the ratio of highest to lowest pay, or a gender pay gap policy (B5.1).",
    )
    pay_ratio_cap = models.DecimalField(
        "Pay ratio cap",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Highest pay divided by lowest pay that the plan allows, if it states one.",
    )
    pay_ratio_actual = models.DecimalField(
        "Actual pay ratio",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Highest pay divided by lowest pay now.",
    )
    union_workers = models.PositiveIntegerField("Workers", null=True, blank=True)
    union_members = models.PositiveIntegerField(
        "Workers who are union members", null=True, blank=True
    )
    union_description = models.TextField(
        "Union participation",
        blank=True,
        help_text="Which union, and how workers take part (B1.4).",
    )
    commons_stewardship = models.TextField(
        blank=True,
        help_text="Your method for the rights of current users and of excluded people with similar needs (B2).",
    )
    data_return = models.TextField(
        "End of life: returning users' data",
        blank=True,
        help_text="How every user gets their data back in a useful format (B3.1).",
    )
    user_migration = models.TextField(
        "End of life: moving users",
        blank=True,
        help_text="How users are moved to similar services (B3.2).",
    )
    infrastructure_handover = models.TextField(
        "End of life: handing over infrastructure",
        blank=True,
        help_text="How servers and infrastructure are offered to other groups (B3.3).",
    )
    lores_recommended = models.ManyToManyField(
        Service,
        blank=True,
        related_name="+",
        verbose_name="Services whose LoRes address you recommend first",
        help_text="Residents are shown the LoRes way first for these services (V2).",
    )

    class Meta:
        verbose_name_plural = "declarations"

    def __str__(self) -> str:
        return f"Declarations of {self.organisation}"


class FinancialYear(models.Model):
    """One financial year's figures, in whole cents (charter B1.1, B1.2, B5.2, B7)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="financial_years"
    )
    ends = models.DateField("Year ends", help_text="The last day of the financial year.")
    gross_revenue_cents = models.BigIntegerField(validators=[MinValueValidator(0)])
    labour_payments_cents = models.BigIntegerField(validators=[MinValueValidator(0)])
    fte = models.DecimalField(
        "Full-time-equivalent workers",
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    surplus_cents = models.BigIntegerField(help_text="Negative for a loss.")
    investor_returns_cents = models.BigIntegerField(validators=[MinValueValidator(0)])
    loan_repayments_cents = models.BigIntegerField(validators=[MinValueValidator(0)])
    land_back_cents = models.BigIntegerField(validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["organisation__name", "-ends"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "ends"], name="one_financial_year_end"),
            models.CheckConstraint(
                condition=models.Q(
                    gross_revenue_cents__gte=0,
                    labour_payments_cents__gte=0,
                    investor_returns_cents__gte=0,
                    loan_repayments_cents__gte=0,
                    land_back_cents__gte=0,
                    fte__gte=0,
                ),
                name="financial_year_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: year ending {self.ends}"


def evidence_path(instance: "Evidence", filename: str) -> str:
    # A random name: nothing about the partner or the file can be guessed from it.
    return f"evidence/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A document or link backing one criterion, for the partner or one of its servers or services."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", "Awaiting review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        MORE_REQUESTED = "more_requested", "More requested"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="evidence"
    )
    criterion = models.CharField(max_length=8, choices=CRITERION_CHOICES)
    server = models.ForeignKey(
        Server, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    title = models.CharField(max_length=160)
    file = models.FileField(upload_to=evidence_path, blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    size_bytes = models.PositiveIntegerField(default=0)
    original_name = models.CharField(max_length=200, blank=True)
    link = models.URLField(blank=True)
    public = models.BooleanField(
        default=False, help_text="Anyone may see public evidence on the qualification page."
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    expiry_notice_sent_for = models.DateField(
        null=True,
        blank=True,
        help_text="The valid-until day the expiry email was sent for, so it is sent once.",
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(server__isnull=False) & models.Q(service__isnull=False)),
                name="evidence_one_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="evidence_valid_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion} · {self.title}"

    @property
    def subject(self) -> str:
        """As the checks name it: ``partner``, ``server:<id>`` or ``service:<id>``."""
        if self.server_id is not None:
            return f"server:{subject_id(self.server.slug)}"
        if self.service_id is not None:
            return f"service:{subject_id(self.service.slug)}"
        return "partner"

    @property
    def subject_label(self) -> str:
        if self.server_id is not None:
            return f"Server {self.server.name}"
        if self.service_id is not None:
            return f"Service {self.service.name}"
        return "The partner"


class EvidenceComment(models.Model):
    """One step of a review: the steward's decision and comment, or a note from the partner."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decision = models.CharField(max_length=16, choices=Evidence.State.choices, blank=True)
    text = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display() or 'Comment'} on {self.evidence}"


class Application(models.Model):
    """A co-op's request to join, kept apart from the live directory until the steward approves it."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", "Awaiting review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    name = models.CharField(max_length=150)
    slug = models.SlugField(help_text="Short name for addresses, e.g. merri-creek-hosting.")
    legal_form = models.CharField(max_length=16, choices=Organisation.LegalForm.choices)
    registration_number = models.CharField(max_length=60, blank=True)
    summary = models.CharField(max_length=240, help_text="One sentence for the directory.")
    locality = models.CharField(max_length=80, blank=True, help_text="Suburb, e.g. Brunswick East.")
    website = models.URLField(blank=True)
    contact_email = models.EmailField()
    dossier = models.JSONField(
        null=True,
        blank=True,
        help_text="The dossier document (docs/dossier.schema.json), if the co-op sent one.",
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.SUBMITTED)
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        help_text="The live organisation approval created or updated.",
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"Application of {self.name}"


class QualificationRun(models.Model):
    """One evaluation of a partner against the charter, with what it used and what changed."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="qualification_runs"
    )
    evaluated_at = models.DateTimeField(default=timezone.now)
    at = models.DateField(help_text="The day the criteria were judged for.")
    trigger = models.CharField(max_length=200, help_text="Why the partner was evaluated.")
    criteria_version = models.CharField(max_length=20)
    parameters = models.JSONField(help_text="The parameter values in force on that day.")
    qualified = models.BooleanField()
    previous_qualified = models.BooleanField(null=True, blank=True)
    changes = models.JSONField(
        default=list,
        blank=True,
        help_text="Outcomes whose status differs from the previous run: criterion, subject, from, to.",
    )
    # The run's progress (rules.progress), kept so a page of badges needs no results.
    criteria_shown = models.PositiveSmallIntegerField(
        default=0, help_text="Criteria met, in grace or not applicable for every subject."
    )
    criteria_not_met = models.PositiveSmallIntegerField(
        default=0, help_text="Criteria not met for some subject."
    )
    criteria_total = models.PositiveSmallIntegerField(
        default=0, help_text="Criteria judged, not counting those made of parts (B3, B6)."
    )

    class Meta:
        ordering = ["-evaluated_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-evaluated_at"])]

    def __str__(self) -> str:
        verdict = "qualified" if self.qualified else "not qualified"
        return f"{self.organisation} {verdict} on {self.at}"

    @property
    def status_changed(self) -> bool:
        return self.previous_qualified is not None and self.previous_qualified != self.qualified


class CriterionResult(models.Model):
    """One outcome of a run: a criterion's status for one subject, and why."""

    run = models.ForeignKey(QualificationRun, on_delete=models.CASCADE, related_name="results")
    position = models.PositiveIntegerField()
    criterion = models.CharField(max_length=8)
    subject = models.CharField(max_length=80)
    status = models.CharField(max_length=16)
    reason = models.TextField()

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="one_result_per_position")
        ]

    def __str__(self) -> str:
        return f"{self.criterion} {self.subject}: {self.status}"


class CloudRangeList(models.Model):
    """The IP ranges one cloud company publishes, as last imported (charter S1)."""

    class Provider(models.TextChoices):
        AWS = "aws", "Amazon Web Services"
        GOOGLE = "google", "Google"
        AZURE = "azure", "Microsoft Azure"

    provider = models.CharField(max_length=8, choices=Provider.choices, unique=True)
    company = models.CharField(max_length=40)
    networks = models.TextField(help_text="One CIDR block per line.")
    count = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, help_text="Of the imported file.")
    source_name = models.CharField(max_length=200)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["provider"]

    def __str__(self) -> str:
        return f"{self.get_provider_display()}: {self.count} ranges"
