"""A service's ``login_hint`` fills in the email on the region's login form."""

from urllib.parse import urlencode

from django.urls import reverse


def _login_page(client, **authorize):
    following = f"{reverse('oauth2_provider:authorize')}?{urlencode(authorize)}"
    return client.get(reverse("account_login"), {"next": following})


def test_the_hinted_email_is_filled_in(client, world):
    page = _login_page(client, client_id="any", login_hint="rita@example.org")
    assert page.context["form"]["login"].value() == "rita@example.org"
    assert 'value="rita@example.org"' in page.content.decode()


def test_a_hint_that_is_not_an_email_or_not_from_an_authorization_is_ignored(client, world):
    assert _login_page(client, login_hint="<script>").context["form"]["login"].value() is None
    assert _login_page(client, login_hint="x\u0000@y").context["form"]["login"].value() is None
    elsewhere = client.get(
        reverse("account_login"), {"next": "/services/?login_hint=rita@example.org"}
    )
    assert elsewhere.context["form"]["login"].value() is None


def test_the_hint_fills_in_nothing_but_the_email(client, world):
    page = _login_page(client, login_hint="rita@example.org")
    assert page.context["form"]["password"].value() is None
