import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from solhost.core.models import Parameter, parameter_value
from solhost.partners import exits
from solhost.partners.licences import LicenceExpressionError, normalise_licence_expression


class Organisation(models.Model):
    """The steward, or a partner: a local hosting co-op that runs services for residents."""

    class Kind(models.TextChoices):
        STEWARD = "steward", "Steward"
        PARTNER = "partner", "Partner"

    class LegalForm(models.TextChoices):
        COOPERATIVE = "cooperative", "Registered co-operative"
        ASSOCIATION = "association", "Incorporated association"
        COMPANY = "company", "Company limited by guarantee"
        COLLECTIVE = "collective", "Unincorporated collective"

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PARTNER)
    legal_form = models.CharField(max_length=16, choices=LegalForm.choices)
    registration_number = models.CharField(max_length=60, blank=True)
    summary = models.CharField(max_length=240, help_text="One sentence for the directory.")
    description = models.TextField(blank=True)
    locality = models.CharField(max_length=80, blank=True, help_text="Suburb, e.g. Brunswick East.")
    website = models.URLField(blank=True)
    contact_email = models.EmailField(blank=True)
    founded = models.DateField(null=True, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(kind="steward"), name="one_steward_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:partner", args=[self.slug])


class Membership(models.Model):
    """A person's role in an organisation."""

    class Role(models.TextChoices):
        STEWARD = "steward", "Steward"
        PARTNER_ADMIN = "partner_admin", "Partner admin"
        PARTNER_MEMBER = "partner_member", "Partner member"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    joined = models.DateField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.organisation}"


def validate_export_formats(value) -> None:
    if not isinstance(value, list):
        raise ValidationError("Give a list of export formats.")
    unknown = exits.unknown_formats(value)
    if unknown:
        raise ValidationError(
            "%(unknown)s: not a format the region knows. Choose from %(known)s.",
            params={
                "unknown": ", ".join(f"“{code}”" for code in unknown),
                "known": ", ".join(exits.EXPORT_FORMATS),
            },
        )


class ExitInformation(models.Model):
    """How residents get their data out of a service and whether their account can move.

    A kind keeps the usual for its services; a service starts with its kind's and its
    partner corrects it.
    """

    class AccountMove(models.TextChoices):
        WHOLE = exits.MOVES_WHOLE, exits.ACCOUNT_MOVES[exits.MOVES_WHOLE]
        PARTLY = exits.MOVES_PARTLY, exits.ACCOUNT_MOVES[exits.MOVES_PARTLY]
        NONE = exits.DOES_NOT_MOVE, exits.ACCOUNT_MOVES[exits.DOES_NOT_MOVE]
        NO_ACCOUNT = exits.NO_ACCOUNT, exits.ACCOUNT_MOVES[exits.NO_ACCOUNT]

    export_formats = models.JSONField(
        "formats of its own export",
        default=list,
        blank=True,
        validators=[validate_export_formats],
        help_text="What residents get when they export their data from the software itself.",
    )
    export_steps = models.CharField(
        "how to export",
        max_length=exits.MAX_STEPS_LENGTH,
        blank=True,
        help_text="Where the software's own export is and what it holds, in a few steps.",
    )
    account_move = models.CharField(
        "can an account move to another host?",
        max_length=16,
        choices=AccountMove.choices,
        default=AccountMove.NONE,
    )
    account_move_steps = models.CharField(
        "how to move an account",
        max_length=exits.MAX_STEPS_LENGTH,
        blank=True,
        help_text="How an account moves, what moves with it and what does not.",
    )

    class Meta:
        abstract = True

    def exit_information(self) -> dict:
        """The exit fields as plain values, as a kind passes them to a new service."""
        return {name: getattr(self, name) for name in EXIT_FIELDS}

    @property
    def export_format_names(self) -> list[str]:
        return exits.format_names(self.export_formats)

    @property
    def names_export_method(self) -> bool:
        return exits.names_export_method(self.export_formats, self.account_move)


EXIT_FIELDS = ("export_formats", "export_steps", "account_move", "account_move_steps")


class ServiceKind(ExitInformation):
    """What a resident needs a service for: file sharing, chat, a website, code hosting…"""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80, unique=True)
    description = models.CharField(max_length=240, blank=True)
    lores_covered = models.BooleanField(
        default=False, help_text="The region's LoRes mesh offers this kind of service (charter V2)."
    )
    search_words = models.TextField(
        blank=True,
        help_text=(
            "Words residents use when they look for this kind of service, separated by "
            "commas: other names for it, what they do with it, the products it replaces "
            "(e.g. storage, dropbox, google drive). The directory's search finds the kind's "
            "services by these words, and names the kind when a search finds nothing."
        ),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        # One spelling, whatever was pasted in: "Dropbox ,, Google  Drive" is kept as
        # "Dropbox, Google Drive".
        words = (" ".join(w.split()) for w in self.search_words.split(","))
        self.search_words = ", ".join(dict.fromkeys(w for w in words if w))


class ListingStamp(models.Model):
    """Changes whenever a record the public pages list is written (see ``listing_cache``).

    What those pages keep between requests is cached under the current stamp, so a write
    made by any process (a server worker, the admin, a command) is seen by all of them at
    their next request, whatever the cache backend.
    """

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token


# AS numbers are 32-bit (RFC 6793).
MAX_ASN = 2**32 - 1


def validate_public_ips(value) -> None:
    if not isinstance(value, list):
        raise ValidationError("Give a list of IP addresses.")
    for i, item in enumerate(value):
        try:
            ipaddress.ip_address(str(item))
        except ValueError:
            raise ValidationError(
                "Entry %(index)s, %(value)r, is not an IP address.",
                params={"index": i + 1, "value": item},
            ) from None


class Server(models.Model):
    """A machine that runs partners' services, where it is and what it is for."""

    class Role(models.TextChoices):
        PRIMARY = "primary", "Primary (serves residents)"
        OFFSITE_BACKUP = "offsite_backup", "Off-site backup"
        DNS = "dns", "DNS"
        CLOUD_CONNECTOR = "cloud_connector", "Cloud connector"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="servers")
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PRIMARY)
    latitude = models.FloatField(validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(validators=[MinValueValidator(-180), MaxValueValidator(180)])
    locality = models.CharField(
        max_length=80, blank=True, help_text="Suburb or facility, e.g. Coburg North."
    )
    hosting_company = models.CharField(
        max_length=120, help_text="Who owns the building and network, or 'self-hosted'."
    )
    public_ips = models.JSONField(default=list, blank=True, validators=[validate_public_ips])
    asn = models.PositiveBigIntegerField(
        "network (ASN)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ASN)],
        help_text=(
            "The autonomous system number of the network the server is reached through, "
            "e.g. 4764. A whois lookup of one of its IP addresses shows it."
        ),
    )
    operation_started = models.DateField(help_text="The day the server began serving.")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90),
                name="server_latitude_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__gte=-180, longitude__lte=180),
                name="server_longitude_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Service(ExitInformation):
    """A free-software service a partner runs for residents, and how residents leave it."""

    class Audience(models.TextChoices):
        PUBLIC = "public", "Anyone in the region"
        MEMBERS = "members", "Members of the partner co-op"
        ORGANISATION = "organisation", "Organisations (groups sign up together)"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="services"
    )
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    kind = models.ForeignKey(ServiceKind, on_delete=models.PROTECT, related_name="services")
    summary = models.CharField(max_length=240)
    software = models.CharField(max_length=80, help_text="e.g. Nextcloud")
    software_version = models.CharField(max_length=40, blank=True)
    licence = models.CharField(
        max_length=200, help_text="SPDX licence expression, e.g. AGPL-3.0-or-later."
    )
    source_url = models.URLField(help_text="Where the software's source code is published.")
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.PUBLIC)
    url = models.URLField(help_text="Where residents use the service.")
    lores_url = models.CharField(
        max_length=200,
        blank=True,
        help_text="The address on the region's LoRes mesh, if it is offered there.",
    )
    servers = models.ManyToManyField(Server, related_name="services", blank=True)
    accepts_new_residents = models.BooleanField(
        default=True,
        help_text=(
            "Untick when the service is full: the directory says it takes no new residents, "
            "wind-downs stop suggesting it, and only the residents it already has sign in."
        ),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:service", args=[self.slug])

    def clean(self):
        try:
            self.licence = normalise_licence_expression(
                self.licence, extra_keys=liberatory_licence_keys()
            )
        except LicenceExpressionError as error:
            raise ValidationError({"licence": str(error)}) from error


def liberatory_licence_keys() -> list[str]:
    """The network's liberatory licences in force today, accepted besides SPDX identifiers."""
    try:
        return list(parameter_value("liberatory_licences", at=timezone.localdate()))
    except Parameter.NoValueInForce:
        return []


class ApiToken(models.Model):
    """A partner's key for the API. Only a hash is kept; the token is shown once, at creation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80, help_text="What uses it, e.g. 'Nextcloud usage export'.")
    # The first characters of the token, kept in clear so a person can tell tokens apart
    # and the lookup needs no scan; the rest is only ever compared by hash.
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
