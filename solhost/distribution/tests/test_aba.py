import datetime

import pytest

from solhost.core.problems import InputProblems
from solhost.distribution.aba import Credit, Remitter, aba_file, account_number, bsb

REMITTER = Remitter(
    institution="BEN",
    user_name="Merri-bek Tech Steward",
    user_id="301500",
    bsb="633-000",
    account="123456789",
    name="MERRI-BEK TECH",
)
DAY = datetime.date(2026, 11, 9)


def test_a_file_has_a_header_a_record_per_credit_and_totals_in_fixed_columns():
    text = aba_file(
        remitter=REMITTER,
        credits=[
            Credit("062-000", "12345678", "Merri Creek Computing", 246_000, "PAYOUT mcc B1"),
            Credit("083004", "9876", "Pay the Rent", 4_10, "LAND BACK B1"),
        ],
        description="PAYOUTS B1",
        process_on=DAY,
    )
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    records = text.split("\r\n")[:-1]
    assert [len(r) for r in records] == [120, 120, 120, 120]
    assert records[0] == (
        "0" + " " * 17 + "01BEN" + " " * 7 + "Merri-bek Tech Steward    " + "301500"
        "PAYOUTS B1  " + "091126" + " " * 40
    )
    assert records[1] == (
        "1062-000 12345678 500000246000Merri Creek Computing           PAYOUT mcc B1     "
        "633-000123456789MERRI-BEK TECH  00000000"
    )
    assert records[2][1:30] == "083-004     9876 500000000410"
    assert (
        records[3]
        == (
            "7999-999" + " " * 12 + "0000246410" + "0000246410" + "0000000000" + " " * 24 + "000002"
        )
        + " " * 40
    )


def test_names_lose_accents_and_long_fields_are_cut_to_their_width():
    text = aba_file(
        remitter=REMITTER,
        credits=[
            Credit("062-000", "1", "Café Ngāti Coop with a very long name indeed", 1, "R" * 30)
        ],
        description="A description longer than twelve",
        process_on=DAY,
    )
    detail = text.split("\r\n")[1]
    assert len(detail) == 120
    assert detail[30:62] == "Cafe Ngati Coop with a very long"
    assert detail[62:80] == "R" * 18


def test_bsbs_and_account_numbers_are_read_as_people_write_them():
    assert bsb("062000") == bsb(" 062-000 ") == "062-000"
    assert account_number("1234 5678") == account_number("1234-5678") == "12345678"
    for wrong in ("06200", "062-0000", "ABC-DEF", ""):
        with pytest.raises(ValueError, match="is not a BSB"):
            bsb(wrong)
    for wrong in ("1234567890", "12A4", ""):
        with pytest.raises(ValueError, match="1 to 9 digits"):
            account_number(wrong)
    with pytest.raises(ValueError, match="all zeros"):
        account_number("000000")


def test_every_problem_is_named_before_anything_is_written():
    remitter = Remitter("Bendigo", "", "1234567", "63300", "1", "X")
    with pytest.raises(InputProblems) as caught:
        aba_file(
            remitter=remitter,
            credits=[Credit("062-00", "12", "MCC", 0, "R"), Credit("062-000", "12", " ", 5, "R")],
            description="PAYOUTS",
            process_on=DAY,
        )
    where = [w for w, _ in caught.value.problems]
    assert where == [
        "remitter.institution",
        "remitter.user_id",
        "remitter.user_name",
        "remitter.bsb",
        "credit 1 (MCC).bsb",
        "credit 1 (MCC).amount_cents",
        "credit 2 (no name).account_name",
    ]
    with pytest.raises(InputProblems, match="nothing to pay"):
        aba_file(remitter=REMITTER, credits=[], description="PAYOUTS", process_on=DAY)
