"""Forms for partners' self-service pages. They validate; the actions in actions.py write."""

import ipaddress
import re

from django import forms

from solhost.core.forms import ModelMultipleChoiceField, formfield
from solhost.partners import actions, exits
from solhost.partners.models import EXIT_FIELDS, Organisation, Server, Service

SLUG_TAKEN = (
    "This slug is already taken. Slugs are unique across the whole region, so choose "
    "another, for example one starting with your organisation's short name."
)


class DateInput(forms.DateInput):
    """The browser's date picker; it sends and expects ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def coordinate_field(axis: str, *, required: bool = True, **kwargs) -> forms.FloatField:
    """A latitude or longitude whose range error says what the valid range is."""
    limit, hint = {
        "latitude": (90, "south is negative, e.g. -37.76 in Melbourne"),
        "longitude": (180, "east is positive, e.g. 144.96 in Melbourne"),
    }[axis]
    message = f"%(value)g is out of range: {axis} must be between -{limit} and {limit} degrees."
    return forms.FloatField(
        required=required,
        min_value=-limit,
        max_value=limit,
        error_messages={"min_value": message, "max_value": message},
        help_text=f"Decimal degrees, {hint}.",
        **kwargs,
    )


class IPAddressListField(forms.Field):
    """IP addresses typed one per line or separated by commas, kept as a list."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value) -> list[str]:
        entries = [e for e in re.split(r"[\s,]+", value or "") if e]
        addresses: list[str] = []
        errors = []
        for index, entry in enumerate(entries, start=1):
            try:
                address = str(ipaddress.ip_address(entry))
            except ValueError:
                errors.append(
                    forms.ValidationError(
                        "Entry %(index)s, “%(entry)s”, is not an IPv4 or IPv6 address.",
                        code="invalid",
                        params={"index": index, "entry": entry},
                    )
                )
                continue
            if address not in addresses:
                addresses.append(address)
        if errors:
            raise forms.ValidationError(errors)
        return addresses


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        formfield_callback = formfield
        fields = actions.ORGANISATION_FIELDS
        widgets = {"founded": DateInput, "description": forms.Textarea(attrs={"rows": 5})}
        error_messages = {
            "name": {"unique": "Another organisation in the region already uses this name."}
        }


class ServerForm(forms.ModelForm):
    latitude = coordinate_field("latitude")
    longitude = coordinate_field("longitude")
    public_ips = IPAddressListField(
        required=False,
        label="Public IP addresses",
        help_text="One per line, or separated by commas, e.g. 203.0.113.7, 2001:db8::7.",
    )

    class Meta:
        model = Server
        formfield_callback = formfield
        fields = actions.SERVER_FIELDS
        widgets = {"operation_started": DateInput, "description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"slug": "Short name used in addresses, e.g. mcc-2. Unique in the region."}
        error_messages = {"slug": {"unique": SLUG_TAKEN}}


class ServiceForm(forms.ModelForm):
    """A service's details; when it is edited, also how residents leave it (a new service
    starts with its kind's usual, which its partner then corrects here)."""

    export_formats = forms.MultipleChoiceField(
        choices=list(exits.EXPORT_FORMATS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Formats of its own export",
        help_text=(
            "What residents get when they export their data from the software itself. "
            "Choose none if it keeps nothing about them."
        ),
        error_messages={
            "invalid_choice": "“%(value)s” is not a format the region knows: choose from the list."
        },
    )
    servers = ModelMultipleChoiceField(
        queryset=Server.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Runs on",
        help_text="Your servers this service runs on.",
    )

    class Meta:
        model = Service
        formfield_callback = formfield
        fields = actions.SERVICE_FIELDS
        labels = {
            "kind": "Kind of service",
            "source_url": "Source code address",
            "url": "Service address",
            "lores_url": "LoRes mesh address",
            "accepts_new_residents": "Takes new residents",
        }
        help_texts = {"slug": "Short name used in addresses, e.g. mcc-chat. Unique in the region."}
        widgets = {
            "export_steps": forms.Textarea(attrs={"rows": 3}),
            "account_move": forms.RadioSelect,
            "account_move_steps": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {"slug": {"unique": SLUG_TAKEN}}

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # Until its kind is chosen there is no usual to start from: the action gives it.
            for name in EXIT_FIELDS:
                del self.fields[name]
        # Only the organisation's own servers are choices: any other id is refused as invalid.
        self.fields["servers"].queryset = organisation.servers.all()
        if not organisation.servers.exists():
            self.fields["servers"].help_text = "You have no servers yet: add one first."
        self.fields["kind"].empty_label = "Choose a kind"
