"""The pages a resident sees when something is missing, closed to them, or broken."""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.views.defaults import permission_denied, server_error


def test_a_missing_page_says_so_with_the_site_around_it(client, world):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We can't find that page" in page
    assert 'aria-label="Main"' in page  # the site's navigation
    assert 'href="/services/"' in page


def test_a_closed_page_tells_a_visitor_to_sign_in_first(db):
    request = RequestFactory().get("/decisions/new/")
    request.user = AnonymousUser()
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert 'href="/accounts/login/?next=/decisions/new/"' in response.content.decode()


def test_a_closed_page_tells_a_signed_in_resident_who_they_are(client, world):
    client.force_login(world.rita)
    response = client.get("/payouts/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "This page isn't open to you" in page
    assert world.rita.email in page
    assert 'aria-label="Main"' in page


def test_a_server_error_page_stands_alone_without_the_database(db):
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert 'href="/"' in page
