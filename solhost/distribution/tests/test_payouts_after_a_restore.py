"""After ``solhost restore`` the ledger owes again what was paid after the archive was
made: no payout batch until a bank statement has been imported since."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from solhost.contributions.statement_actions import import_statement
from solhost.core.audit import AuditAction, record
from solhost.core.problems import InputProblems
from solhost.distribution.models import PayoutBatch
from solhost.distribution.payouts import make_payout_batch, owed_cents, record_payout
from solhost.distribution.tests.test_payout_batches import owed  # noqa: F401
from solhost.distribution.tests.test_reconciliation import debit, statement
from solhost.web.tests.pages import assert_clean_page

MADE = datetime.datetime(2026, 11, 30, 3, 45, tzinfo=datetime.UTC)


def _restore() -> None:
    record(
        actor=None,
        action=AuditAction.BACKUP_RESTORE,
        after={"archive": "solhost-backup.tar.gz", "sha256": "0" * 64, "made": MADE.isoformat()},
        note="solhost-backup.tar.gz",
    )


@pytest.fixture
def restored(owed):  # noqa: F811
    """The region's owed partners, as ``solhost restore`` leaves them."""
    _restore()
    return owed


def test_no_batch_is_made_until_a_statement_is_imported_and_paying_by_hand_stays_open(
    restored,
):
    world = restored
    on = timezone.localdate()
    with pytest.raises(InputProblems) as refused:
        make_payout_batch(process_on=on, actor=world.sam)
    [(field, message)] = refused.value.problems
    assert field == "batch"
    assert message.startswith(f"this installation was restored on {on.day} ")
    assert "Import the bank's statement from 30 November 2026 on" in message
    assert not PayoutBatch.objects.exists()

    # The statement shows a payout sent after the archive was made: the steward records it.
    paid = owed_cents(world.mcc)
    data = statement([debit(on, paid, "TRANSFER TO MERRI CREEK COMPUTING PAYOUT MCC B1")])
    import_statement(data=data, actor=world.sam, mapping="commbank")
    record_payout(
        partner=world.mcc,
        amount_cents=paid,
        paid_on=on,
        bank_reference="PAYOUT MCC B1",
        token="lost-payout",
        actor=world.sam,
    )

    batch = make_payout_batch(process_on=on, actor=world.sam)
    assert world.mcc not in {line.partner for line in batch.lines.all()}
    # Batch 1 was the lost installation's: its debit must never reconcile this one's lines.
    assert batch.pk == 2


def test_the_payouts_page_says_why_and_offers_no_batch(restored, client):
    client.force_login(restored.sam)

    page = client.get(reverse("distribution:payouts"))

    html = page.content.decode()
    assert 'id="waiting-for-the-bank"' in html
    assert "No batch yet: this installation was restored on" in html
    assert "Make a payout batch" not in html
    assert "Record payout" in html
    assert_clean_page(page)
    answer = client.post(
        reverse("distribution:batch_new"), {"process_on": timezone.localdate()}, follow=True
    )
    assert "No batch was made: this installation was restored" in answer.content.decode()
    assert not PayoutBatch.objects.exists()


def test_a_batch_left_open_in_the_archive_gives_no_file_until_the_statement_is_in(
    owed,  # noqa: F811
    client,
):
    world = owed
    on = timezone.localdate()
    batch = make_payout_batch(process_on=on, actor=world.sam)
    _restore()
    client.force_login(world.sam)

    page = client.get(reverse("distribution:batch", args=[batch.pk]))
    assert 'id="waiting-for-the-bank"' in page.content.decode()
    assert "Download the ABA file" not in page.content.decode()
    assert_clean_page(page)
    answer = client.get(reverse("distribution:batch_download", args=[batch.pk]), follow=True)

    assert (
        f"The file cannot be made: batch {batch.pk} may have been sent already, and this "
        "installation was restored on" in answer.content.decode()
    )
    with pytest.raises(CommandError, match="may have been sent already"):
        call_command("payouts", "aba", batch=batch.pk, out="unused.aba")
    # The statement shows it was not sent: the file can be made.
    import_statement(
        data=statement([debit(on, 250, "ACCOUNT FEE")]), actor=world.sam, mapping="commbank"
    )
    assert (
        "Download the ABA file"
        in client.get(reverse("distribution:batch", args=[batch.pk])).content.decode()
    )
    file = client.get(reverse("distribution:batch_download", args=[batch.pk]))
    assert file.status_code == 200 and file["Content-Disposition"].endswith(
        f'payouts-{batch.pk}.aba"'
    )


def test_without_a_restore_the_page_offers_a_batch(owed, client):  # noqa: F811
    client.force_login(owed.sam)
    html = client.get(reverse("distribution:payouts")).content.decode()
    assert "Make a payout batch" in html and "waiting-for-the-bank" not in html
