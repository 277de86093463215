from django import forms
from django.utils import timezone

from solhost.probes.queries import RETENTION


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class OutagePeriodForm(forms.Form):
    """A period, e.g. a recorded power outage, to count a partner's checks over."""

    start = forms.DateTimeField(
        label="From",
        widget=LocalDateTimeInput(),
        help_text="Local time, e.g. when the power went out.",
    )
    end = forms.DateTimeField(
        label="Until",
        widget=LocalDateTimeInput(),
        help_text="Local time, e.g. when the power came back.",
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end <= start:
                self.add_error("end", "Give a time after the start.")
            elif start < timezone.now() - RETENTION:
                self.add_error(
                    "start",
                    f"Checks are kept for {RETENTION.days} days: give a start within them.",
                )
        return cleaned
