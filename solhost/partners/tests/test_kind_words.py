"""The words residents use for each kind of service: where they come from, who edits them."""

import importlib

from django.apps import apps
from django.urls import reverse

from solhost.core.models import AuditEvent
from solhost.demo.loader import load_demo
from solhost.partners.kinds import STARTER_SEARCH_WORDS, STARTER_SERVICE_KINDS
from solhost.partners.models import ServiceKind
from solhost.partners.tests.test_admin import admin_form_data

DIRECTORY = reverse("web:directory")
# The migration that gave kinds their words, and regions made before it the starter ones.
words_migration = importlib.import_module(
    "solhost.partners.migrations.0004_servicekind_search_words"
)


def found(client, query: str) -> bool:
    return "MCC Files" in client.get(DIRECTORY, {"q": query}).content.decode()


def test_every_starter_kind_has_words_and_every_word_belongs_to_a_kind():
    assert set(STARTER_SEARCH_WORDS) == {slug for slug, *_ in STARTER_SERVICE_KINDS}
    for words in STARTER_SEARCH_WORDS.values():
        assert words
        assert all(word == word.strip().lower() and "," not in word for word in words)


def test_the_steward_adds_words_in_the_admin_and_search_finds_them_at_once(client, world):
    assert not found(client, "dropbox")
    client.force_login(world.sam)
    url = reverse("admin:partners_servicekind_change", args=[world.files.pk])
    page = client.get(url)
    assert "Words residents use when they look for this kind of service" in page.content.decode()
    response = client.post(
        url, admin_form_data(page, search_words=" Dropbox ,, Google   Drive, dropbox , ")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    world.files.refresh_from_db()
    # Tidied: one space, no empty or repeated words; the case is kept as written.
    assert world.files.search_words == "Dropbox, Google Drive, dropbox"
    assert AuditEvent.objects.filter(action="admin.servicekind.change").exists()
    client.logout()
    assert found(client, "dropbox")
    assert found(client, "google drive")


def test_the_migration_gives_starter_kinds_without_words_theirs(world):
    world.files.search_words = ""
    world.files.save()
    world.chat.search_words = "our own words"
    world.chat.save()
    other = ServiceKind.objects.create(slug="knitting", name="Knitting circles")
    words_migration.give_starter_kinds_their_words(apps, None)
    world.files.refresh_from_db()
    world.chat.refresh_from_db()
    other.refresh_from_db()
    assert world.files.search_words == words_migration.STARTER_SEARCH_WORDS["files"]
    assert "dropbox" in world.files.search_words
    assert world.chat.search_words == "our own words"
    assert other.search_words == ""


def test_the_demo_region_starts_with_the_starter_words(db):
    load_demo()
    files = ServiceKind.objects.get(slug="files")
    assert files.search_words.split(", ") == list(STARTER_SEARCH_WORDS["files"])
    assert ServiceKind.objects.get(slug="email").search_words.startswith("email, e-mail, mail")
