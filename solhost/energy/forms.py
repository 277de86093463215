"""Energy forms: a server's power system, and a telemetry upload (which file, how to read it)."""

from django import forms

from solhost.core.forms import formfield
from solhost.energy.actions import POWER_SYSTEM_FIELDS
from solhost.energy.canonical import ENERGY_CHANNELS
from solhost.energy.ingest import EMONCMS_KINDS, UploadOptions
from solhost.energy.models import PowerSystem, TelemetryUpload
from solhost.partners.forms import coordinate_field


class TelemetryUploadForm(forms.Form):
    file = forms.FileField(
        help_text="Canonical CSV, or an export from one of the formats below.",
    )
    format = forms.ChoiceField(choices=TelemetryUpload.Format.choices, initial="canonical")
    channel = forms.ChoiceField(
        choices=[("", "—"), *((c, c) for c in ENERGY_CHANNELS)],
        required=False,
        help_text="For emoncms and Home Assistant files, which hold one meter each: what it measures.",
    )
    kind = forms.ChoiceField(
        label="emoncms feed kind",
        choices=[
            (k, {"power": "Power (W)", "cumulative_kwh": "Cumulative energy (kWh)"}[k])
            for k in EMONCMS_KINDS
        ],
        initial="power",
        required=False,
    )
    unit = forms.ChoiceField(
        label="Home Assistant unit",
        choices=[("kWh", "kWh"), ("Wh", "Wh")],
        initial="kWh",
        required=False,
    )

    def options(self) -> UploadOptions:
        data = self.cleaned_data
        return UploadOptions(
            format=data["format"],
            channel=data.get("channel") or "",
            kind=data.get("kind") or "power",
            unit=data.get("unit") or "kWh",
        )


class PowerSystemForm(forms.ModelForm):
    community_latitude = coordinate_field(
        "latitude", required=False, label="Community installation latitude"
    )
    community_longitude = coordinate_field(
        "longitude", required=False, label="Community installation longitude"
    )

    class Meta:
        model = PowerSystem
        formfield_callback = formfield
        fields = POWER_SYSTEM_FIELDS
        labels = {"grid_connected": "Connected to the grid"}

    def clean(self):
        cleaned = super().clean()
        names = ("community_latitude", "community_longitude")
        if any(self.has_error(name) for name in names):
            return cleaned
        given = [cleaned.get(name) is not None for name in names]
        if any(given) and not all(given):
            raise forms.ValidationError(
                "Give both the latitude and the longitude of the community installation, "
                "or neither."
            )
        return cleaned
