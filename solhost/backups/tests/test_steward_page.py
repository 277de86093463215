"""The steward's backups page: the archives in the folder, whether the nightly backup has
stopped, and the account journal beside them, read from the folder itself. Sam is the
steward; Rita a resident."""

import datetime

import pytest
from django.utils import timezone

from solhost.backups.archive import scheduled_name
from solhost.identity import account_journal
from solhost.identity.account_journal import Change, Entry
from solhost.identity.tests.test_backchannel_logout import log_in
from solhost.web.tests.pages import assert_clean_page, visible_text

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def folder(settings):
    settings.SOLHOST_BACKUP_DIR.mkdir(parents=True)
    return settings.SOLHOST_BACKUP_DIR


def archive_made(folder, at: datetime.datetime, size: int = 2048) -> str:
    name = scheduled_name(at)
    (folder / name).write_bytes(b"x" * size)
    return name


def page_text(who: str = "sam@example.org"):
    page = log_in(who).get("/steward/backups/")
    assert page.status_code == 200
    assert_clean_page(page)
    return page, visible_text(page.content.decode())


def test_only_the_steward_sees_it(world, client):
    assert log_in("rita@example.org").get("/steward/backups/").status_code == 403
    assert client.get("/steward/backups/").status_code == 302


def test_the_archives_newest_first_and_the_journal_since_the_newest(world, folder):
    now = timezone.now()
    newest = archive_made(folder, now - 2 * HOUR, size=3 * 1024 * 1024)
    older = archive_made(folder, now - 26 * HOUR + HOUR)
    (folder / "before-upgrade.tar.gz").write_bytes(b"mine")
    journal = folder / account_journal.NAME
    account_journal.start(journal, now - 30 * HOUR)
    for at in (now - 3 * HOUR, now - HOUR, now - HOUR / 2):
        account_journal.append(journal, Entry(at, Change.DEACTIVATED, world.bob.pk))

    page, text = page_text()

    assert 'id="backup-overdue"' not in page.content.decode()
    assert text.index(newest) < text.index(older)
    assert "3.0 MB" in text
    assert "under names of your own, kept until you delete them: before-upgrade.tar.gz." in text
    assert "It holds every change since" in text
    assert "3 changes" in text and "2 were made after the newest archive." in text


def test_a_missed_nightly_backup_is_said_to_be(world, folder):
    archive_made(folder, timezone.now() - 50 * HOUR)

    page, text = page_text()

    assert 'id="backup-overdue"' in page.content.decode()
    assert (
        "(2 days, 2 hours ago): more than 26 hours, so at least one nightly backup is missing"
        in text
    )


def test_no_archive_yet(world, folder):
    _, text = page_text()

    assert "No dated archive is in the folder yet." in text
    assert "Not begun yet: the next backup begins it" in text


def test_a_journal_that_cannot_be_read_is_said_to_be(world, folder):
    (folder / account_journal.NAME).write_text('{"journal": "solhost account journal"}\n')

    page, text = page_text()

    assert 'id="journal-problem"' in page.content.decode()
    assert "so a restore would refuse it:" in text and "line 1: since" in text


def test_a_replica_site_says_the_archives_are_the_primarys(world, folder, settings):
    settings.SOLHOST_SITE_REPLICA_URL = "postgres://standby.example/region"

    _, text = page_text()

    assert "This is a replica site: the region's archives are the primary's." in text
    assert "No dated archive" not in text
