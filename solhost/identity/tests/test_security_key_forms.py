"""The security-key (WebAuthn) forms take only what a browser's ceremony posts, one JSON
object: anything else is refused on the form, and no key is stored from it."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from solhost.identity.forms import AuthenticateWebAuthnForm, ReauthenticateWebAuthnForm
from solhost.test import PASSWORD

ADD = reverse("mfa_add_webauthn")
UNREADABLE = "Your security key's answer could not be read. Try again."
# JSON, but no ceremony's answer; a bare 0 or false used to be taken for no answer to
# check at all, and stored as the key. The last is too long a number for Python to read.
NOT_A_CREDENTIAL = [
    ("0", UNREADABLE),
    ("-0", UNREADABLE),
    ("false", UNREADABLE),
    ("[1]", UNREADABLE),
    ('"key"', UNREADABLE),
    pytest.param("9" * 5000, "Not JSON a database can store", id="5000-digits"),
]


@pytest.mark.parametrize(("credential", "problem"), NOT_A_CREDENTIAL)
def test_adding_a_key_with_no_ceremonys_answer_is_refused_and_stores_nothing(
    client, world, credential, problem
):
    client.force_login(world.rita)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    answer = client.post(ADD, {"name": "Blue key", "credential": credential})

    assert answer.status_code == 200
    (error,) = answer.context["form"].errors["credential"]
    assert error.startswith(problem)
    assert not Authenticator.objects.filter(user=world.rita).exists()
    # Her key pages still work.
    assert client.get(ADD).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200


@pytest.mark.parametrize("form_class", [AuthenticateWebAuthnForm, ReauthenticateWebAuthnForm])
@pytest.mark.parametrize(("credential", "problem"), NOT_A_CREDENTIAL)
def test_signing_in_with_no_ceremonys_answer_is_refused_on_the_form(
    world, form_class, credential, problem
):
    form = form_class(data={"credential": credential}, user=world.rita)

    assert not form.is_valid()
    (error,) = form.errors["credential"]
    assert error.startswith(problem)
