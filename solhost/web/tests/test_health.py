"""The health probe: cheap, cookie-free, honest about the database."""

import pytest
from django.db import DatabaseError
from django.test import override_settings
from django.urls import reverse


@pytest.mark.django_db
def test_health_says_ok_when_the_database_answers(client):
    response = client.get(reverse("web:health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert not response.cookies


@pytest.mark.django_db
def test_health_is_503_when_the_database_does_not_answer(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", refuse)
    response = client.get(reverse("web:health"))
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True)
def test_a_plain_http_probe_is_not_redirected_but_pages_are(client):
    assert client.get(reverse("web:health")).status_code == 200
    assert client.get(reverse("web:home")).status_code == 301
