"""A write's refusal lands on the form field it names, or on top when the form lacks it;
the region's own form fields refuse what Django's would let through."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from solhost.core.forms import URLField, add_errors, formfield, submit
from solhost.core.problems import InputProblems
from solhost.partners.models import Service


class NameForm(forms.Form):
    name = forms.CharField()


def _form(**data) -> NameForm:
    form = NameForm(data)
    assert form.is_valid()
    return form


def test_errors_by_field_go_to_their_field_or_on_top():
    form = _form(name="Merri")
    add_errors(form, ValidationError({"name": "Taken.", "slug": "Also taken."}))
    assert form.errors == {"name": ["Taken."], "__all__": ["Also taken."]}


def test_an_error_with_no_field_goes_on_top():
    form = _form(name="Merri")
    add_errors(form, ValidationError("Clashes with another change."))
    assert form.errors == {"__all__": ["Clashes with another change."]}


def test_input_problems_keep_every_message():
    form = _form(name="Merri")
    add_errors(form, InputProblems([("name", "Too short."), ("name", "Not ASCII."), ("$.x", "?")]))
    assert form.errors == {"name": ["Too short.", "Not ASCII."], "__all__": ["?"]}


def test_submit_returns_what_the_write_saved_or_none():
    assert submit(_form(name="Merri"), lambda data: data["name"].upper()) == "MERRI"
    refused = _form(name="Merri")

    def refuse(data):
        raise ValidationError({"name": "Taken."})

    assert submit(refused, refuse) is None
    assert refused.errors == {"name": ["Taken."]}
    assert submit(NameForm({}), lambda data: "never called") is None


@pytest.mark.parametrize("url", ["https://files.example.org:99999/", "http://[::1]:70000/"])
def test_an_address_with_a_port_no_connection_can_use_is_refused(url):
    with pytest.raises(ValidationError) as refused:
        URLField(assume_scheme="https").clean(url)
    assert refused.value.messages == ["Enter a valid URL: its port must be a number up to 65535."]


def test_an_address_with_a_usable_port_is_kept():
    field = URLField(assume_scheme="https")
    assert field.clean("https://files.example.org:8443/x") == "https://files.example.org:8443/x"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("files.example.org:8443", "https://files.example.org:8443"),
        (" files.example.org:8443/dav?x=1 ", "https://files.example.org:8443/dav?x=1"),
        ("files.example.org", "https://files.example.org"),
    ],
)
def test_an_address_typed_without_a_scheme_is_taken_as_https(typed, kept):
    assert URLField(assume_scheme="https").clean(typed) == kept


def test_a_host_typed_with_a_port_no_connection_can_use_is_refused_for_its_port():
    with pytest.raises(ValidationError) as refused:
        URLField(assume_scheme="https").clean("files.example.org:99999")
    assert refused.value.messages == ["Enter a valid URL: its port must be a number up to 65535."]


def test_every_model_forms_address_field_refuses_an_unusable_port():
    form_field = formfield(Service._meta.get_field("url"))
    with pytest.raises(ValidationError):
        form_field.clean("https://files.example.org:99999/")
