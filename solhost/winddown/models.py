"""A partner's wind-down, the cases it owes its residents, and what it hands over."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from solhost.partners.models import Organisation, Server, Service


class WindDown(models.Model):
    """A partner closing, with the dates residents can plan by. A partner closes once."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="wind_down"
    )
    announced_on = models.DateField("announcement")
    no_new_signups_from = models.DateField("no new sign-ups from")
    read_only_from = models.DateField("read-only from")
    data_return_deadline = models.DateField(
        "data returned by",
        help_text="The last day to return or move residents' data; cases still open after it "
        "are marked as having had no response.",
    )
    shutdown_on = models.DateField("shutdown")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["shutdown_on", "organisation__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(announced_on__lte=models.F("no_new_signups_from"))
                & Q(no_new_signups_from__lte=models.F("read_only_from"))
                & Q(read_only_from__lte=models.F("data_return_deadline"))
                & Q(data_return_deadline__lte=models.F("shutdown_on")),
                name="wind_down_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"Wind-down of {self.organisation}"

    def get_absolute_url(self) -> str:
        return reverse("winddown:public", args=[self.organisation.slug])

    @property
    def completed(self) -> bool:
        return self.completed_at is not None


class Case(models.Model):
    """What happens to one resident's data in one of the closing partner's services."""

    class State(models.TextChoices):
        NOTIFIED = "notified", "Notified"
        MOVE_REQUESTED = "move_requested", "Move asked for"
        EXPORTED = "exported", "Data returned"
        MOVED = "moved", "Moved"
        DECLINED = "declined", "Declined"
        NO_RESPONSE = "no_response", "No response by the deadline"

    # A case in one of these needs nothing more before the wind-down can complete.
    SETTLED = (State.EXPORTED, State.MOVED, State.DECLINED, State.NO_RESPONSE)
    OPEN = (State.NOTIFIED, State.MOVE_REQUESTED)

    wind_down = models.ForeignKey(WindDown, on_delete=models.PROTECT, related_name="cases")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="wind_down_cases"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=16, choices=State.choices, default=State.NOTIFIED)
    move_to = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        related_name="incoming_moves",
        null=True,
        blank=True,
        help_text="The service the resident asked to move to.",
    )
    changed_at = models.DateTimeField()
    # Set when the wind-down completes; the state keeps what happened.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["service__name", "resident__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["wind_down", "resident", "service"], name="one_case_per_resident_service"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["move_requested", "moved"]) | Q(move_to__isnull=False),
                name="a_move_names_its_service",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} in {self.service}: {self.get_state_display()}"


class HandoverOffer(models.Model):
    """A server or piece of equipment the closing partner offers to other groups."""

    wind_down = models.ForeignKey(WindDown, on_delete=models.PROTECT, related_name="offers")
    server = models.ForeignKey(
        Server, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    equipment = models.CharField(
        max_length=200,
        blank=True,
        help_text="Equipment that is not one of your listed servers, e.g. “a UPS, 1.5 kVA”.",
    )
    handed_to = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    handed_over_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(server__isnull=True) ^ Q(equipment=""),
                name="an_offer_is_a_server_or_equipment",
            ),
            models.UniqueConstraint(fields=["server"], name="a_server_is_offered_once"),
        ]

    def __str__(self) -> str:
        return str(self.server) if self.server_id else self.equipment


class HandoverRequest(models.Model):
    """Another partner or group asking for an offered server or piece of equipment."""

    offer = models.ForeignKey(HandoverOffer, on_delete=models.PROTECT, related_name="requests")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True, help_text="What you would use it for.")
    asked_at = models.DateTimeField()

    class Meta:
        ordering = ["asked_at"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "organisation"], name="one_request_per_offer")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} asks for {self.offer}"
