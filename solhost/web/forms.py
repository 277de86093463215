from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe

LORES_YES = {"on", "1", "true", "yes"}
LORES_NO = {"", "0", "false", "off", "no"}


class ListSelect(forms.Select):
    """A select whose options are written in Python, not through a template each.

    The directory renders its lists of every partner and every software on each request;
    a template per option made them most of the page's cost.
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = "" if value is None else str(value)
        options = "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) == chosen else ""}>'
            f"{escape(str(label))}</option>"
            for key, label in self.choices
        )
        attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escape(name)}"{attrs}>{options}</select>')


class DirectoryFilters(forms.Form):
    """The directory's filters, read from the query string.

    A value that matches nothing (an old link, a typo) is an error on its field only: the
    view drops that filter, says so, and applies the others.
    """

    q = forms.CharField(
        label="What do you need?",
        required=False,
        max_length=200,
        help_text="In your own words, e.g. file storage, video call, dropbox, a blog.",
    )
    kind = forms.ChoiceField(
        label="Kind of service",
        required=False,
        widget=ListSelect,
        error_messages={"invalid_choice": "There is no kind of service called “%(value)s”."},
    )
    software = forms.ChoiceField(
        label="Software",
        required=False,
        widget=ListSelect,
        error_messages={"invalid_choice": "No service in the region runs “%(value)s”."},
    )
    partner = forms.ChoiceField(
        label="Partner",
        required=False,
        widget=ListSelect,
        error_messages={"invalid_choice": "There is no partner called “%(value)s”."},
    )
    lores = forms.BooleanField(label="Available on the LoRes mesh", required=False)

    def __init__(self, *args, kinds, software, partners, **kwargs):
        """``kinds``, ``partners``: ``(slug, name)`` pairs; ``software``: a list of names."""
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Any kind of service"), *kinds]
        self.fields["software"].choices = [("", "Any software"), *((s, s) for s in software)]
        self.fields["partner"].choices = [("", "Any partner"), *partners]

    def clean_lores(self) -> bool:
        # A checkbox field reads any non-empty text as "checked"; a link with
        # ?lores=banana must not silently narrow the results.
        raw = str(self.data.get("lores", "")).strip().lower()
        if raw in LORES_YES:
            return True
        if raw in LORES_NO:
            return False
        raise forms.ValidationError(
            "“%(value)s” is not a yes or no for the LoRes mesh filter.", params={"value": raw}
        )
