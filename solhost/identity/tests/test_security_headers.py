import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from solhost.test import PASSWORD

ACCOUNT_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_email_verification_sent",
]
# Pages for a logged-in resident: they load allauth's own scripts.
MANAGE_PAGES = ["account_email", "account_change_password", "mfa_index"]
# Each kind of response: public pages, account pages, admin, the API, a 404 and a static file.
PAGES = [
    ("/", 200),
    ("/services/", 200),
    ("/partners/mcc/", 200),
    *((reverse(name), 200) for name in ACCOUNT_PAGES),
    ("/admin/login/", 302),  # to the region's sign-in
    ("/api/v1/openapi.json", 200),
    ("/no-such-page/", 404),
    ("/static/css/site.css", 200),
]


def assert_strict_policy(response) -> None:
    policy = response.headers["Content-Security-Policy"]
    assert policy == settings.CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def assert_no_inline_code(html: str) -> None:
    assert "style=" not in html
    assert "<style" not in html
    for attributes in re.findall(r"<script([^>]*)>", html):
        # Scripts load from files; JSON data blocks are never executed.
        assert "src=" in attributes or 'type="application/json"' in attributes
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


@pytest.mark.parametrize(("path", "status"), PAGES)
def test_every_kind_of_page_sends_the_strict_policy(client, world, path, status):
    response = client.get(path)

    assert response.status_code == status
    assert_strict_policy(response)


@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_account_pages_need_no_inline_script_or_style(client, db, name):
    assert_no_inline_code(client.get(reverse(name)).content.decode())


@pytest.mark.parametrize("name", MANAGE_PAGES)
def test_account_management_pages_keep_to_the_policy(client, world, name):
    client.force_login(world.rita)

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert_strict_policy(response)
    assert_no_inline_code(response.content.decode())


def test_account_pages_cannot_be_framed(client, db):
    response = client.get(reverse("account_login"))

    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_the_session_cookie_is_http_only(client, world):
    response = client.post(
        reverse("account_login"), {"login": "rita@example.org", "password": PASSWORD}
    )

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_a_login_post_without_a_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("account_login"), {"login": "rita@example.org", "password": PASSWORD}
    )

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_login_post_with_the_csrf_token_is_accepted(world):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("account_login"))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value

    response = client.post(
        reverse("account_login"),
        {"login": "rita@example.org", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.rita.pk)


def test_logout_needs_a_post_with_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.rita)

    assert client.post(reverse("account_logout")).status_code == 403
    assert client.session["_auth_user_id"] == str(world.rita.pk)
