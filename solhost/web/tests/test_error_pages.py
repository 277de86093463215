"""The pages a resident sees when something is missing, closed to them, or broken."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.views.defaults import permission_denied, server_error

from solhost.web.tests.pages import assert_clean_page


@pytest.fixture
def no_collected_static_files(settings, tmp_path):
    """Production's storage of hashed names, in an installation where collectstatic never ran."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }


def test_a_missing_page_says_so_with_the_site_around_it(client, world):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_clean_page(response)
    page = response.content.decode()
    assert "We can't find that page" in page
    assert 'aria-label="Main"' in page  # the site's navigation
    assert 'href="/services/"' in page
    assert "Test Region" in page


def test_a_closed_page_offers_a_visitor_to_sign_in_and_come_back(db):
    request = RequestFactory().get("/governance/propose/?kind=consent")
    request.user = AnonymousUser()
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    page = response.content.decode()
    assert "You are not signed in." in page
    assert 'href="/accounts/login/?next=/governance/propose/%3Fkind%3Dconsent"' in page


def test_a_closed_page_tells_a_signed_in_resident_who_they_are(client, world):
    client.force_login(world.rita)
    response = client.get("/governance/propose/")
    assert response.status_code == 403
    assert_clean_page(response)
    page = response.content.decode()
    assert "This page isn't open to you" in page
    assert "You are signed in as rita@example.org" in page
    assert 'aria-label="Main"' in page


def test_a_server_error_page_needs_no_request_context_or_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert 'aria-label="Main"' in page
    assert 'href="/static/css/site.css"' in page


def test_a_request_that_cannot_be_read_gets_the_sites_page_and_changes_nothing(client, world):
    # A multipart body whose part headers never end: Django can't parse the form, and
    # answers 400 before any view's own checks run.
    response = client.generic(
        "POST",
        "/oidc/token/",
        b"--x\r\n" + b"h" * 100_000,
        content_type="multipart/form-data; boundary=x",
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "The request could not be read" in page
    assert "nothing was changed" in page
    assert 'aria-label="Main"' in page


def test_error_pages_render_without_collected_static_files(
    client, world, no_collected_static_files
):
    from django.templatetags.static import static

    # The storage really is the manifest's, and the manifest really is missing.
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        static("css/site.css")
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert '<link rel="stylesheet" href="/static/css/site.css">' in response.content.decode()
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert '<link rel="stylesheet" href="/static/css/site.css">' in response.content.decode()
    client.force_login(world.rita)
    assert client.get("/governance/propose/").status_code == 403


def test_with_collected_static_files_pages_still_get_hashed_names(
    client, world, no_collected_static_files, settings
):
    # The manifest collectstatic writes, for the two files every page links.
    settings.STATIC_ROOT.mkdir()
    (settings.STATIC_ROOT / "staticfiles.json").write_text(
        json.dumps(
            {
                "version": "1.1",
                "paths": {
                    "css/site.css": "css/site.0123abcd.css",
                    "img/mark.svg": "img/mark.4567.svg",
                },
            }
        )
    )
    page = client.get("/no-such-page/").content.decode()
    assert '<link rel="stylesheet" href="/static/css/site.0123abcd.css">' in page
    assert 'src="/static/img/mark.4567.svg"' in page
