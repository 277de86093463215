"""How pages travel: compressed for clients that accept it, with cache rules that keep
one resident's page out of another's hands."""

import gzip

import pytest
from django.urls import reverse

from solhost.identity.models import User


@pytest.fixture
def resident(db):
    return User.objects.create_user(
        username="rosa", email="rosa@example.org", password="correct-horse-battery"
    )


@pytest.mark.django_db
def test_a_page_goes_out_gzipped_to_a_client_that_accepts_it(client):
    plain = client.get(reverse("account_login"))
    packed = client.get(reverse("account_login"), HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    html = gzip.decompress(packed.content)
    assert b"<form" in html
    assert len(packed.content) < len(html) / 2


@pytest.mark.django_db
def test_pages_are_private_to_their_browser_and_answered_304_when_unchanged(client):
    # Every page shows who is signed in (or a sign-in link), so it varies by cookie and
    # no shared cache may keep it; the browser's own cache revalidates it each time.
    first = client.get(reverse("web:home"))
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = client.get(reverse("web:home"), HTTP_IF_NONE_MATCH=first.headers["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_an_answer_the_same_for_everyone_may_be_kept_by_shared_caches_after_revalidation(
    client, world
):
    region = client.get("/api/v1/region")
    assert region.status_code == 200
    assert "Cookie" not in region.headers.get("Vary", "")
    assert region.headers["Cache-Control"] == "no-cache"


@pytest.mark.django_db
def test_a_view_that_sets_its_own_cache_rule_keeps_it(client):
    jwks = client.get("/.well-known/jwks.json")
    assert jwks.status_code == 200
    assert jwks.headers["Cache-Control"].startswith("public, max-age=")
