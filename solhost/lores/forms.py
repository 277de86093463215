from django import forms

from solhost.partners.models import Server


class LinkForm(forms.Form):
    """Which of the region's servers a LoRes node is; servers already linked are not offered."""

    server = forms.ModelChoiceField(
        queryset=Server.objects.filter(lores_node__isnull=True).select_related("organisation"),
        empty_label="Choose a server",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["server"].label_from_instance = lambda s: f"{s.name} ({s.organisation})"
