from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from solhost.core.models import Parameter
from solhost.partners.models import Organisation


class Proposal(models.Model):
    """A decision the network takes together: a resolution, and the parameter changes it makes."""

    class DecisionType(models.TextChoices):
        CONSENT = "consent", "Consent"
        MAJORITY = "majority", "Majority"
        MEDIAN = "median", "Median of proposals"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        # Passed, but its changes could not be written yet (the close command says why).
        CLOSED = "closed", "Closed"
        ENACTED = "enacted", "Enacted"
        REJECTED = "rejected", "Rejected"

    title = models.CharField(max_length=200)
    reasoning = models.TextField(help_text="Why the network should decide this.")
    resolution = models.TextField(
        blank=True, help_text="What the network resolves, in words; may stand without changes."
    )
    decision_type = models.CharField(max_length=16, choices=DecisionType.choices)
    raised_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="proposals")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals"
    )
    effective_from = models.DateField(
        null=True, blank=True, help_text="The day its parameter changes take effect."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The organisations that may vote, fixed when the proposal opens.
    electorate = models.ManyToManyField(Organisation, blank=True, related_name="+")
    # The majority rule in force when the proposal opened, kept with it.
    threshold_bp = models.PositiveIntegerField(null=True, blank=True)
    quorum_bp = models.PositiveIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    explanation = models.CharField(max_length=300, blank=True)
    adopted_value = models.BigIntegerField(
        null=True, blank=True, help_text="For a median decision, the value adopted."
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Decision {self.pk}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("governance:decision", args=[self.pk])

    @property
    def source_label(self) -> str:
        """How a parameter value written by this decision names its source."""
        return f"Decision {self.pk}: {self.title}"[:200]

    def is_open_for_votes(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.OPEN and self.closes_at is not None and now < self.closes_at
        )


class ProposedChange(models.Model):
    """One parameter a proposal changes, and its new value (the proposer's own, for a median)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="changes")
    parameter = models.ForeignKey(Parameter, on_delete=models.PROTECT, related_name="+")
    new_value = models.JSONField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "parameter"], name="one_change_per_parameter_per_proposal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.parameter.key} → {self.new_value!r}"


class Vote(models.Model):
    """An organisation's vote on a proposal; it can change it until the proposal closes."""

    class Choice(models.TextChoices):
        AGREE = "agree", "Agree"
        DISAGREE = "disagree", "Disagree"
        ABSTAIN = "abstain", "Abstain"
        BLOCK = "block", "Block"
        PROPOSE = "propose", "Propose a value"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="votes")
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    choice = models.CharField(max_length=16, choices=Choice.choices)
    value = models.BigIntegerField(null=True, blank=True, help_text="The value proposed (median).")
    comment = models.TextField(blank=True)
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "organisation"], name="one_vote_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} on decision {self.proposal_id}: {self.choice}"


class NoticeSent(models.Model):
    """An email round about a proposal that went out, so a re-run never sends it twice."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        CLOSING_SOON = "closing_soon", "Closing in 48 hours"
        RESULT = "result", "Result"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    recipients = models.PositiveIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_at"]
        verbose_name_plural = "notices sent"
        constraints = [
            models.UniqueConstraint(fields=["proposal", "kind"], name="one_notice_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} notice for decision {self.proposal_id}"
