import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from solhost.contributions import actions, queries
from solhost.contributions.models import ContributionChoice, Payment
from solhost.web.tests.pages import assert_clean_page

CONTRIBUTE = reverse("contributions:contribute")
PAYMENTS = reverse("contributions:payments")


def test_signing_in_is_needed_to_choose(client, world):
    assert client.get(CONTRIBUTE).status_code == 302


def test_a_resident_chooses_a_tier_and_gets_a_reference(client, world):
    client.force_login(world.rita)
    page = client.get(CONTRIBUTE)
    assert_clean_page(page)
    assert "Nothing for now" in page.content.decode() and "$25.00 a month" in page.content.decode()
    response = client.post(CONTRIBUTE, {"tier": "1200"}, follow=True)
    assert "Your contribution is now $12.00 a month" in response.content.decode()
    assert actions.reference_for_resident(world.rita).code in response.content.decode()


def test_nothing_is_always_allowed_without_questions(client, world):
    client.force_login(world.rita)
    client.post(CONTRIBUTE, {"tier": "0"})
    assert ContributionChoice.objects.get(resident=world.rita).monthly_cents == 0


def test_a_custom_amount_is_read_as_dollars_and_bad_ones_are_explained(client, world):
    client.force_login(world.rita)
    client.post(CONTRIBUTE, {"tier": "custom", "custom": "8.50"})
    assert queries.current_choice(world.rita).monthly_cents == 850
    for custom, message in [
        ("", "Write the amount"),
        ("lots", "is not an amount"),
        ("5000", "more than the largest"),
    ]:
        page = client.post(CONTRIBUTE, {"tier": "custom", "custom": custom})
        assert page.status_code == 200 and message in page.content.decode()
    assert ContributionChoice.objects.count() == 1


def test_the_solidarity_page_is_public(client, db):
    page = client.get(reverse("contributions:solidarity"))
    assert_clean_page(page)
    assert "SOLIDARITY" in page.content.decode()


@pytest.mark.parametrize("persona", ["rita", "alice", "carol"])
def test_only_the_steward_records_payments(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(PAYMENTS).status_code == 403


def test_the_steward_records_a_payment_once_even_if_the_form_is_sent_twice(client, world):
    client.force_login(world.sam)
    page = client.get(PAYMENTS)
    assert_clean_page(page)
    # A date input only shows an ISO date.
    assert f'value="{timezone.localdate().isoformat()}"' in page.content.decode()
    code = actions.reference_for_resident(world.rita).code
    form = {
        "record": "1",
        "received_on": "2026-10-03",
        "reference": code,
        "amount": "12",
        "token": "abc",
    }
    assert "Recorded $12.00" in client.post(PAYMENTS, form, follow=True).content.decode()
    assert "already recorded" in client.post(PAYMENTS, form, follow=True).content.decode()
    assert Payment.objects.count() == 1
    give_back = reverse("distribution:give_back", args=[Payment.objects.get().pk])
    assert f'href="{give_back}"' in client.get(PAYMENTS).content.decode()
    bad = client.post(PAYMENTS, form | {"reference": "NOPE", "token": "new"})
    assert "no payer has the reference" in bad.content.decode()


def test_the_steward_imports_a_csv_and_sees_each_problem_with_its_line(client, world):
    client.force_login(world.sam)
    code = actions.reference_for_resident(world.rita).code
    bad = SimpleUploadedFile("bank.csv", f"2026-10-03,{code},12\n2026-10-04,{code},oops\n".encode())
    page = client.post(PAYMENTS, {"import": "1", "file": bad})
    assert (
        "line 2, amount" in page.content.decode()
        and "Nothing was imported" in page.content.decode()
    )
    assert not Payment.objects.exists()
    good = SimpleUploadedFile("bank.csv", f"2026-10-03,{code},12\n".encode())
    assert (
        "Imported 1 new payments"
        in client.post(PAYMENTS, {"import": "1", "file": good}, follow=True).content.decode()
    )
    binary = SimpleUploadedFile("bank.csv", b"\xff\xfe\x00")
    assert "is not UTF-8" in client.post(PAYMENTS, {"import": "1", "file": binary}).content.decode()
    assert Payment.objects.get().received_on == datetime.date(2026, 10, 3)
