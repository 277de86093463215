"""The telemetry upload form: which file, and how to read it."""

from django import forms

from solhost.energy.canonical import ENERGY_CHANNELS
from solhost.energy.ingest import EMONCMS_KINDS, UploadOptions
from solhost.energy.models import TelemetryUpload


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
