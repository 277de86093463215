"""What a browser posts from a Django form as it is shown, for tests that post forms back
(the partner pages, the steward's admin)."""

from django import forms


def form_data(form: forms.BaseForm, **changes) -> dict:
    """What a browser would post for the form as it is shown, with some values changed."""
    data: dict = {}
    for field in form:
        widget = field.field.widget
        value = field.value()
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[field.html_name] = "on"
        elif isinstance(widget, forms.MultiWidget):
            parts = value if isinstance(value, list) else widget.decompress(value)
            for index, part in enumerate(parts):
                data[f"{field.html_name}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, list | tuple):
            data[field.html_name] = [str(v) for v in value]
        else:
            data[field.html_name] = "" if value is None else str(value)
    data.update(changes)
    return data


def admin_form_data(response, **changes) -> dict:
    """The admin change form on ``response`` as shown, with its inline formsets (the audit
    trail's, read-only, included), ready to post back with ``changes``."""
    data = form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_data(formset.management_form))
        for form in formset.forms:
            data.update(form_data(form))
    data.update(changes)
    return data
