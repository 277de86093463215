"""The wind-down's forms: what a person types, checked before an action sees it."""

from django import forms

from solhost.partners.models import Organisation, Server
from solhost.winddown.models import HandoverOffer, WindDown
from solhost.winddown.rules import DATE_ORDER


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WindDownForm(forms.Form):
    """The five dates, in the order they must come."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, _ in DATE_ORDER:
            field = WindDown._meta.get_field(name)
            self.fields[name] = forms.DateField(
                label=field.verbose_name.capitalize(),
                help_text=field.help_text,
                widget=_date_widget(),
            )


class OfferForm(forms.Form):
    server = forms.ModelChoiceField(
        queryset=Server.objects.none(),
        required=False,
        label="One of your servers",
        empty_label="(not a listed server)",
    )
    equipment = forms.CharField(
        max_length=200,
        required=False,
        label="Or other equipment",
        help_text="For example “a UPS, 1.5 kVA” or “two 4 TB disks”.",
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        offered = HandoverOffer.objects.filter(server__isnull=False).values("server")
        self.fields["server"].queryset = organisation.servers.exclude(pk__in=offered).order_by(
            "name"
        )


class AskForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label="Asking for", empty_label=None
    )
    note = forms.CharField(max_length=300, required=False, label="What you would use it for")

    def __init__(self, *args, organisations: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in organisations]
        )
