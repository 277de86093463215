"""The steward's statement upload and queue pages."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from solhost.contributions.models import Payment, PaymentReference, StatementLine
from solhost.core.models import AuditEvent
from solhost.web.tests.pages import assert_clean_page

FILES = Path(__file__).parent / "statements"
STATEMENT = reverse("contributions:statement")
QUEUE = reverse("contributions:statement_queue")


@pytest.fixture
def steward(client, world):
    PaymentReference.objects.create(
        code="R-7KQ2M9XA", purpose=PaymentReference.Purpose.RESIDENT, resident=world.rita
    )
    client.force_login(world.sam)
    return client


def upload(client, name: str, **fields):
    file = SimpleUploadedFile(name, (FILES / name).read_bytes())
    return client.post(STATEMENT, {"file": file, **fields}, follow=True)


@pytest.mark.parametrize("persona", ["rita", "alice", "carol"])
def test_only_the_steward_imports_and_sees_the_queue(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(STATEMENT).status_code == 403
    assert client.get(QUEUE).status_code == 403
    assert client.post(QUEUE, {"line": "1"}).status_code == 403


def test_the_page_detects_the_format_and_says_what_was_new(steward):
    page = steward.get(STATEMENT)
    assert_clean_page(page)
    text = upload(steward, "camt053-october.xml").content.decode()
    assert (
        "Imported the CAMT.053 statement: 4 new lines (2 payments recorded, 1 unmatched, "
        "1 debit); 0 already known." in text
    )
    assert "1 line waits for you" in text
    again = upload(steward, "camt053-october-overlap.xml").content.decode()
    assert "1 new line (1 payment recorded, 0 unmatched, 0 debits); 2 already known." in again


def test_a_csv_is_read_with_the_chosen_banks_layout(steward):
    text = upload(steward, "commbank-october.csv", mapping="commbank").content.decode()
    assert "Imported the CSV statement: 6 new lines" in text
    assert Payment.objects.filter(source=Payment.Source.BANK).count() == 2


def test_a_bad_file_is_refused_with_its_line_and_nothing_is_stored(steward):
    page = upload(steward, "commbank-malformed.csv", mapping="commbank")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Nothing was imported" in text
    assert "line 5, column 1: &#x27;2026-10-15&#x27; is not a date like 03/10/2026" in text
    assert not StatementLine.objects.exists()
    page = upload(steward, "ofx-malformed.ofx")
    assert "STMTTRN[3]/TRNAMT" in page.content.decode()
    page = upload(steward, "commbank-october.csv")
    assert "a CSV export needs its bank&#x27;s column mapping" in page.content.decode()


def test_the_steward_assigns_a_queued_line_to_a_resident_by_reference(steward, world):
    upload(steward, "ofx-october.ofx")
    (line,) = StatementLine.objects.filter(status=StatementLine.Status.QUEUED)
    page = steward.get(QUEUE)
    assert_clean_page(page)
    assert "DIRECT CREDIT J NGUYEN FOR THE WIKI" in page.content.decode()
    prefix = f"line-{line.pk}"
    refused = steward.post(QUEUE, {"line": line.pk, f"{prefix}-decision": "resident"})
    assert "Write the resident" in refused.content.decode()
    unknown = steward.post(
        QUEUE, {"line": line.pk, f"{prefix}-decision": "resident", f"{prefix}-resident": "zed"}
    )
    assert "No resident has the username or payment reference" in unknown.content.decode()
    done = steward.post(
        QUEUE,
        {"line": line.pk, f"{prefix}-decision": "resident", f"{prefix}-resident": "r-7kq2m9xa"},
        follow=True,
    )
    assert "Recorded $12.00 of 11 Oct 2026 as rita" in done.content.decode()
    assert "Nothing waits" in done.content.decode()
    line.refresh_from_db()
    assert line.payment.reference.resident == world.rita
    assert AuditEvent.objects.filter(action="contributions.statement_line.decide").count() == 1


def test_a_line_marked_not_ours_leaves_the_queue(steward):
    upload(steward, "commbank-october.csv", mapping="commbank")
    (line,) = StatementLine.objects.filter(status=StatementLine.Status.QUEUED)
    steward.post(QUEUE, {"line": line.pk, f"line-{line.pk}-decision": "not_ours"})
    line.refresh_from_db()
    assert line.status == StatementLine.Status.NOT_OURS
    # A decided line is no longer in the queue to post to.
    assert steward.post(QUEUE, {"line": line.pk}).status_code == 404
