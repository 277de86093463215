"""Payout batches: what the ledger says is owed, as an ABA file, then marked sent."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from solhost.core.models import AuditEvent, Parameter, ParameterValue
from solhost.core.problems import InputProblems
from solhost.distribution.actions import close_period
from solhost.distribution.models import Payout, PayoutBatch
from solhost.distribution.payouts import (
    land_back_owed_cents,
    make_payout_batch,
    mark_batch_sent,
    owed_cents,
    record_payout,
    set_bank_account,
)
from solhost.distribution.tests.test_close import AFTER_GRACE, PERIOD, pay, qualify, use
from solhost.ledger import accounts
from solhost.ledger.books import balance
from solhost.qualification.models import Declarations
from solhost.web.tests.pages import assert_clean_page

STEWARD_BANK = {
    "payout_bank_institution": "BEN",
    "payout_bank_user_name": "Test Steward",
    "payout_apca_user_id": "301500",
    "payout_bank_bsb": "633-000",
    "payout_bank_account": "123456789",
    "payout_remitter_name": "TEST STEWARD",
    "land_back_program_account_name": "Pay the Rent",
    "land_back_program_bsb": "083-004",
    "land_back_program_account": "55555",
}


def set_parameters(values: dict[str, str]) -> None:
    for key, value in values.items():
        ParameterValue.objects.create(
            parameter=Parameter.objects.get(key=key),
            value=value,
            effective_from=datetime.date(2025, 7, 1),
            source="test",
        )


@pytest.fixture
def owed(world):
    """October closed: both partners owed more than the minimum, CCT's land back withheld."""
    use(world, world.rita, "mcc-files", [1, 2, 3])
    use(world, world.rita, "cct-chat", [1, 2, 3])
    use(world, world.bob, "mcc-files", [5])
    pay(world.rita, 20000)
    pay(world.bob, 6000)
    Declarations.objects.create(
        organisation=world.cct, run_by="settlers", land_back_withheld_by_platform=True
    )
    qualify(world.mcc)
    qualify(world.cct)
    close_period(period=PERIOD, actor=None, today=AFTER_GRACE)
    set_bank_account(
        partner=world.mcc,
        account_name="Merri Creek Computing",
        bsb="062000",
        account_number="12345678",
        actor=world.alice,
    )
    set_bank_account(
        partner=world.cct,
        account_name="Coburg Commons Tech",
        bsb="633-000",
        account_number="9876",
        actor=world.carol,
    )
    set_parameters(STEWARD_BANK)
    return world


def read_aba(data: bytes) -> dict:
    """An independent reader: each record cut at the columns the format fixes (1-based)."""
    assert data.endswith(b"\r\n")
    lines = data.decode("ascii").split("\r\n")[:-1]
    assert all(len(line) == 120 for line in lines), [len(line) for line in lines]

    def cut(line: str, first: int, last: int) -> str:
        return line[first - 1 : last]

    header, *details, total = lines
    assert cut(header, 1, 1) == "0" and cut(total, 1, 8) == "7999-999"
    return {
        "header": {
            "reel": cut(header, 19, 20),
            "institution": cut(header, 21, 23),
            "user_name": cut(header, 31, 56).rstrip(),
            "user_id": cut(header, 57, 62),
            "description": cut(header, 63, 74).rstrip(),
            "date": cut(header, 75, 80),
            "blank": cut(header, 81, 120),
        },
        "details": [
            {
                "type": cut(line, 1, 1),
                "bsb": cut(line, 2, 8),
                "account": cut(line, 9, 17).lstrip(),
                "code": cut(line, 19, 20),
                "cents": int(cut(line, 21, 30)),
                "name": cut(line, 31, 62).rstrip(),
                "reference": cut(line, 63, 80).rstrip(),
                "trace_bsb": cut(line, 81, 87),
                "trace_account": cut(line, 88, 96).lstrip(),
                "remitter": cut(line, 97, 112).rstrip(),
                "tax": cut(line, 113, 120),
            }
            for line in details
        ],
        "total": {
            "net": int(cut(total, 21, 30)),
            "credit": int(cut(total, 31, 40)),
            "debit": int(cut(total, 41, 50)),
            "count": int(cut(total, 75, 80)),
            "blanks": cut(total, 9, 20) + cut(total, 51, 74) + cut(total, 81, 120),
        },
    }


def test_the_command_writes_what_the_ledger_says_is_owed_as_an_aba_file(owed, tmp_path):
    world = owed
    on = timezone.localdate()
    expected = {
        ("062-000", "12345678"): owed_cents(world.mcc, on=on),
        ("633-000", "9876"): owed_cents(world.cct, on=on),
        ("083-004", "55555"): land_back_owed_cents(on=on),
    }
    assert all(cents >= 5000 for cents in list(expected.values())[:2])
    assert expected[("083-004", "55555")] > 0
    batch = make_payout_batch(process_on=on, actor=world.sam)
    out = tmp_path / "payouts.aba"
    call_command("payouts", "aba", batch=batch.pk, out=str(out))
    aba = read_aba(out.read_bytes())
    assert aba["header"] == {
        "reel": "01",
        "institution": "BEN",
        "user_name": "Test Steward",
        "user_id": "301500",
        "description": f"PAYOUTS B{batch.pk}",
        "date": on.strftime("%d%m%y"),
        "blank": " " * 40,
    }
    assert {(d["bsb"], d["account"]): d["cents"] for d in aba["details"]} == expected
    assert {d["type"] for d in aba["details"]} == {"1"}
    assert {d["code"] for d in aba["details"]} == {"50"}
    assert {(d["trace_bsb"], d["trace_account"], d["remitter"]) for d in aba["details"]} == {
        ("633-000", "123456789", "TEST STEWARD")
    }
    land_back = next(d for d in aba["details"] if d["bsb"] == "083-004")
    assert (
        land_back["name"] == "Pay the Rent" and land_back["reference"] == f"LAND BACK B{batch.pk}"
    )
    total = sum(d["cents"] for d in aba["details"])
    assert aba["total"] == {
        "net": total,
        "credit": total,
        "debit": 0,
        "count": 3,
        "blanks": " " * 76,
    }


def test_marking_the_batch_sent_pays_out_of_the_ledger_once(owed):
    world = owed
    on = timezone.localdate()
    mcc_owed = owed_cents(world.mcc, on=on)
    bank_before = balance(accounts.BANK, at=on)
    batch = make_payout_batch(process_on=on, actor=world.sam)
    assert mark_batch_sent(batch=batch, sent_on=on, actor=world.sam)
    assert owed_cents(world.mcc, on=on) == owed_cents(world.cct, on=on) == 0
    assert land_back_owed_cents(on=on) == 0
    assert balance(accounts.BANK, at=on) == bank_before - batch.total_cents
    assert Payout.objects.get(partner=world.mcc).amount_cents == mcc_owed
    assert AuditEvent.objects.filter(action="distribution.payout_batch.sent").count() == 1
    assert not mark_batch_sent(batch=batch, sent_on=on, actor=world.sam)
    assert Payout.objects.count() == 2
    with pytest.raises(InputProblems, match="nobody is owed"):
        make_payout_batch(process_on=on, actor=world.sam)


def test_a_batch_paid_meanwhile_by_hand_is_refused_and_posts_nothing(owed):
    world = owed
    on = timezone.localdate()
    batch = make_payout_batch(process_on=on, actor=world.sam)
    with pytest.raises(InputProblems, match=rf"batch {batch.pk} is not sent yet"):
        make_payout_batch(process_on=on, actor=world.sam)
    record_payout(
        partner=world.mcc,
        amount_cents=100,
        paid_on=on,
        bank_reference="by hand",
        token="t",
        actor=world.sam,
    )
    bank = balance(accounts.BANK, at=on)
    with pytest.raises(InputProblems, match="Merri Creek Computing"):
        mark_batch_sent(batch=batch, sent_on=on, actor=world.sam)
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.OPEN
    assert balance(accounts.BANK, at=on) == bank
    assert Payout.objects.count() == 1


def test_partners_below_the_minimum_or_without_a_bank_account_wait(owed, client):
    world = owed
    world.cct.bank_account.delete()
    record_payout(
        partner=world.mcc,
        amount_cents=owed_cents(world.mcc) - 100,
        paid_on=timezone.localdate(),
        bank_reference="",
        token="t",
        actor=world.sam,
    )
    client.force_login(world.sam)
    page = client.get(reverse("distribution:payouts"))
    assert_clean_page(page)
    text = page.content.decode()
    assert "less than the minimum payout" in text and "no bank account yet" in text
    batch = make_payout_batch(process_on=timezone.localdate(), actor=world.sam)
    assert [line.kind for line in batch.lines.all()] == ["land_back"]


def test_the_steward_makes_downloads_and_sends_a_batch_from_the_pages(owed, client, tmp_path):
    world = owed
    client.force_login(world.sam)
    today = timezone.localdate().isoformat()
    made = client.post(reverse("distribution:batch_new"), {"process_on": today})
    batch = PayoutBatch.objects.get()
    assert made.url == reverse("distribution:batch", args=[batch.pk])
    page = client.get(made.url)
    assert_clean_page(page)
    assert "Pay the Rent" in page.content.decode()
    download = client.get(reverse("distribution:batch_download", args=[batch.pk]))
    assert f'filename="payouts-{batch.pk}.aba"' in download["Content-Disposition"]
    out = tmp_path / "payouts.aba"
    call_command("payouts", "aba", batch=batch.pk, out=str(out))
    assert download.content == out.read_bytes()
    refused = client.post(reverse("distribution:batch_sent", args=[batch.pk]), {"sent_on": "soon"})
    assert refused.status_code == 200 and "Enter a valid date" in refused.content.decode()
    sent = client.post(reverse("distribution:batch_sent", args=[batch.pk]), {"sent_on": today})
    assert sent.status_code == 302
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.SENT and batch.sent_by == world.sam


def test_without_the_stewards_bank_details_the_file_names_what_is_missing(owed, client):
    world = owed
    ParameterValue.objects.filter(parameter__key="payout_apca_user_id").delete()
    batch = make_payout_batch(process_on=timezone.localdate(), actor=world.sam)
    client.force_login(world.sam)
    answer = client.get(reverse("distribution:batch_download", args=[batch.pk]), follow=True)
    assert "payout_apca_user_id has no value" in answer.content.decode()
    with pytest.raises(CommandError, match="payout_apca_user_id"):
        call_command("payouts", "aba", batch=batch.pk, out="unused.aba")


@pytest.mark.parametrize("persona", ["alice", "rita"])
def test_only_the_steward_sees_batches(owed, client, persona):
    batch = make_payout_batch(process_on=timezone.localdate(), actor=owed.sam)
    client.force_login(getattr(owed, persona))
    for name in ("batch", "batch_download"):
        assert client.get(reverse(f"distribution:{name}", args=[batch.pk])).status_code == 403
    sent = client.post(
        reverse("distribution:batch_sent", args=[batch.pk]), {"sent_on": "2026-11-09"}
    )
    assert sent.status_code == 403
