"""A partner's admins say where it is paid; a wrong BSB is refused and changes nothing."""

import pytest
from django.urls import reverse

from solhost.core.models import AuditEvent
from solhost.distribution.models import PartnerBankAccount
from solhost.web.tests.pages import assert_clean_page

URL = reverse("distribution:bank_account", args=["mcc"])
GOOD = {"account_name": "Merri Creek Computing", "bsb": "062000", "account_number": "1234 5678"}


def test_a_partner_admin_enters_the_account_and_it_is_audited(client, world):
    client.force_login(world.alice)
    assert_clean_page(client.get(URL))
    answer = client.post(URL, GOOD)
    assert answer.url == reverse("distribution:statements", args=["mcc"])
    saved = PartnerBankAccount.objects.get(partner=world.mcc)
    assert (saved.bsb, saved.account_number) == ("062-000", "12345678")
    event = AuditEvent.objects.get(action="distribution.bank_account")
    assert event.actor == world.alice and event.after["bsb"] == "062-000"
    statements = client.get(answer.url).content.decode()
    assert "BSB 062-000, account 12345678" in statements


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("bsb", "06200", "is not a BSB: write six digits, as 062-000"),
        ("account_number", "1234567890", "write 1 to 9 digits"),
        ("account_number", "0000", "cannot be all zeros"),
        ("account_name", "   ", "This field is required"),
    ],
)
def test_a_wrong_detail_says_what_and_where_and_changes_nothing(
    client, world, field, value, message
):
    client.force_login(world.alice)
    client.post(URL, GOOD)
    events = AuditEvent.objects.count()
    page = client.post(URL, {**GOOD, field: value})
    assert page.status_code == 200
    assert_clean_page(page)
    html = page.content.decode()
    assert message in html and f'id="id_{field}"' in html and "field-invalid" in html
    assert PartnerBankAccount.objects.get(partner=world.mcc).account_number == "12345678"
    assert AuditEvent.objects.count() == events


def test_only_the_partners_admins_and_the_steward_change_it(client, world):
    client.force_login(world.bob)  # a member of MCC, not one of its admins
    assert client.post(URL, GOOD).status_code == 403
    client.force_login(world.carol)  # another partner's admin
    assert client.get(URL).status_code == 404
    client.force_login(world.sam)
    assert client.post(URL, GOOD).status_code == 302
    assert not PartnerBankAccount.objects.exclude(partner=world.mcc).exists()
