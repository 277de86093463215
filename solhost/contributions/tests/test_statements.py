"""Reading bank statements: CAMT.053, OFX and bank CSVs through their mappings (pure)."""

import dataclasses
import datetime
from pathlib import Path

import pytest

from solhost.contributions.statements import detect_format
from solhost.contributions.statements.bank_csv import PRESETS, CsvLayout, read_bank_csv
from solhost.contributions.statements.reading import read_statement
from solhost.contributions.statements.references import find_reference, reference_index
from solhost.core.problems import InputProblems

FILES = Path(__file__).parent / "statements"
TODAY = datetime.date(2026, 12, 5)
RITA = "R-7KQ2M9XA"


def read(name: str, **options):
    return read_statement((FILES / name).read_bytes(), today=TODAY, **options)


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("PAYID FROM R MORALES REF R-7KQ2M9XA OCTOBER", RITA),
        ("ref r 7kq2 m9xa", RITA),
        ("REF:R7KQ2M9XA/THANKS", RITA),
        ("R-7KQ2M9XAB", None),
        ("XR-7KQ2M9XA", None),
        ("Solidarity - gift", "SOLIDARITY"),
        ("R-7KQ2M9XA and SOLIDARITY", None),
        ("DIRECT CREDIT J NGUYEN", None),
    ],
)
def test_a_reference_is_found_on_word_boundaries_whatever_the_bank_did_to_it(description, expected):
    index = reference_index([RITA, "SOLIDARITY", "S-AAAABBBB"])
    assert find_reference(description, index) == expected


def test_the_format_is_detected_from_the_content():
    assert detect_format((FILES / "camt053-october.xml").read_bytes()) == "camt053"
    assert detect_format((FILES / "ofx-october.ofx").read_bytes()) == "ofx"
    assert detect_format((FILES / "ofx-october-overlap.ofx").read_bytes()) == "ofx"
    assert detect_format((FILES / "commbank-october.csv").read_bytes()) == "csv"


def test_camt053_booked_entries_are_signed_lines_with_the_banks_reference():
    kind, lines = read("camt053-october.xml")
    assert kind == "camt053"
    # The pending entry is left for the statement that books it.
    assert [(x.booked_on.day, x.amount_cents) for x in lines] == [
        (3, 2500),
        (10, 5000),
        (11, 1200),
        (12, -48000),
    ]
    assert lines[0].bank_id == "camt:633000123456789:NPP2026100300418812"
    assert "REF R 7KQ2M9XA OCTOBER" in lines[0].description
    assert lines[2].description == "DIRECT CREDIT J NGUYEN FOR THE WIKI"


def test_camt053_001_02_is_validated_against_the_iso_20022_schema():
    with pytest.raises(InputProblems) as error:
        read("camt053-malformed.xml")
    assert error.value.problems == [
        (
            "Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/Amt (line 55)",
            "does not follow the camt.053 schema: Element 'Amt': '12,00' is not a valid value "
            "of the atomic type 'ActiveOrHistoricCurrencyAndAmount_SimpleType'.",
        )
    ]
    without_code = (
        (FILES / "camt053-october.xml")
        .read_bytes()
        .replace(b"<BkTxCd><Prtry><Cd>DD</Cd></Prtry></BkTxCd>", b"")
    )
    with pytest.raises(InputProblems) as error:
        read_statement(without_code, today=TODAY)
    ((where, message),) = error.value.problems
    assert where == "Document/BkToCstmrStmt/Stmt[1]/Ntry[4]/AddtlNtryInf (line 71)"
    assert "This element is not expected. Expected is one of ( Avlbty, BkTxCd )" in message


def test_later_camt053_versions_have_the_elements_read_checked_one_by_one():
    later = (
        (FILES / "camt053-malformed.xml")
        .read_bytes()
        .replace(b"camt.053.001.02", b"camt.053.001.08")
    )
    with pytest.raises(InputProblems) as error:
        read_statement(later, today=TODAY)
    assert error.value.problems == [
        (
            "Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/Amt (line 55)",
            "'12,00' is not an amount like 12.50",
        )
    ]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x "xx">]>\n'
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&x;</Document>',
            "DOCTYPE",
        ),
        (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>', "Document"),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>',
            "line 1",
        ),
    ],
)
def test_camt053_refuses_entities_other_messages_and_broken_xml(text, where):
    with pytest.raises(InputProblems) as error:
        read_statement(text, today=TODAY, format="camt053")
    assert error.value.problems[0][0] == where


def test_camt053_refuses_other_currencies():
    text = (FILES / "camt053-october.xml").read_bytes().replace(b'Ccy="AUD">480', b'Ccy="NZD">480')
    with pytest.raises(InputProblems) as error:
        read_statement(text, today=TODAY)
    assert error.value.problems == [
        ("Document/BkToCstmrStmt/Stmt[1]/Ntry[4]/Amt/@Ccy (line 65)", "is NZD; only AUD is taken")
    ]


def test_ofx_sgml_and_xml_give_the_same_ids_for_the_same_transactions():
    _, first = read("ofx-october.ofx")
    _, second = read("ofx-october-overlap.ofx")
    assert [x.amount_cents for x in first] == [2500, 1200, -48000, -250]
    # The date the bank wrote, not shifted back a day by AEDT's offset.
    assert first[0].booked_on == datetime.date(2026, 10, 3)
    assert first[0].description == "PAYID FROM R MORALES REF R-7KQ2M9XA OCTOBER"
    assert {x.bank_id for x in first} & {x.bank_id for x in second} == {
        "ofx:123456789:202610120003",
        "ofx:123456789:202610150004",
    }


def test_ofx_problems_name_the_element():
    with pytest.raises(InputProblems) as error:
        read("ofx-malformed.ofx")
    ((where, message),) = error.value.problems
    assert where == "OFX/BANKMSGSRSV1/STMTTRNRS[1]/STMTRS/BANKTRANLIST/STMTTRN[3]/TRNAMT"
    assert "-48O.00" in message


def test_ofx_in_another_currency_or_not_ofx_at_all_is_refused():
    text = (FILES / "ofx-october.ofx").read_bytes().replace(b"<CURDEF>AUD", b"<CURDEF>USD")
    with pytest.raises(InputProblems, match="STMTRS/CURDEF: is USD"):
        read_statement(text, today=TODAY)
    with pytest.raises(InputProblems, match="not a readable OFX file"):
        read_statement(b"OFXHEADER:100\n<OFX><BROKEN", today=TODAY, format="ofx")


def test_a_csv_needs_a_mapping():
    with pytest.raises(InputProblems, match="mapping: a CSV export needs"):
        read("commbank-october.csv")


def test_csv_lines_without_a_bank_id_are_told_apart_by_their_running_balance():
    _, first = read("commbank-october.csv", mapping=PRESETS["commbank"])
    _, overlap = read("commbank-october-overlap.csv", mapping=PRESETS["commbank"])
    assert [x.amount_cents for x in first] == [2500, 5000, 1200, -48000, -250, -250]
    # Two identical fees on one day are two lines; the overlap's copies are the same two.
    assert len({x.bank_id for x in first}) == 6
    assert [x.bank_id for x in overlap[:3]] == [x.bank_id for x in first[3:]]
    assert overlap[3].bank_id not in {x.bank_id for x in first}


def test_csv_without_balance_counts_identical_lines():
    text = "03/10/2026,-2.50,FEE\n03/10/2026,-2.50,FEE\n"
    lines = read_bank_csv(text, PRESETS["anz"], today=TODAY)
    assert len({x.bank_id for x in lines}) == 2
    assert [x.bank_id for x in read_bank_csv(text, PRESETS["bendigo"], today=TODAY)] == [
        x.bank_id for x in lines
    ]


def test_a_bad_csv_line_is_named_with_its_line_and_column():
    with pytest.raises(InputProblems) as error:
        read("commbank-malformed.csv", mapping=PRESETS["commbank"])
    assert error.value.problems == [
        ("line 5, column 1", "'2026-10-15' is not a date like 03/10/2026")
    ]


def test_a_csv_read_no_further_is_refused_at_its_line():
    text = "03/10/2026,-2.50,FEE\n03/10/2026,-2.50," + "F" * 200_000 + "\n"
    with pytest.raises(InputProblems) as refused:
        read_bank_csv(text, PRESETS["anz"], today=TODAY)
    ((where, problem),) = refused.value.problems
    assert where == "line 2"
    assert problem.startswith("cannot be read as CSV")


def test_a_csv_with_old_mac_line_endings_is_read():
    text = "03/10/2026,-2.50,FEE\r04/10/2026,-3.00,FEE\r"
    lines = read_bank_csv(text, PRESETS["anz"], today=TODAY)
    assert [x.amount_cents for x in lines] == [-250, -300]


@pytest.mark.parametrize(
    ("preset", "text", "expected"),
    [
        (
            "westpac",
            "Bank Account,Date,Narrative,Debit Amount,Credit Amount,Balance,Categories,Serial\n"
            "633000123456789,03/10/2026,DEPOSIT R-7KQ2M9XA,,25.00,1229.35,DEP,\n"
            "633000123456789,12/10/2026,PAYOUT MCC,480.00,,749.35,OTHER,\n",
            [(2500, "DEPOSIT R-7KQ2M9XA"), (-48000, "PAYOUT MCC")],
        ),
        (
            "westpac-corporate",
            "TRAN_DATE,ACCOUNT_NO,ACCOUNT_NAME,CCY,CLOSING_BAL,AMOUNT,TRAN_CODE,NARRATIVE,SERIAL\n"
            "20261003,032000123456,MERRI-BEK TECH,AUD,1229.35,25.00,050,DEPOSIT R-7KQ2M9XA,\n"
            "20261004,032000123456,MERRI-BEK TECH,AUD,1229.35,,,,\n",
            [(2500, "DEPOSIT R-7KQ2M9XA")],
        ),
        (
            "nab",
            "Date,Amount,Account Number,,Transaction Type,Transaction Details,Balance,Category,"
            "Merchant Name\n"
            "03 Oct 26,25.00,083000123456789,,INTER-BANK CREDIT,R MORALES R-7KQ2M9XA,1229.35,,\n",
            [(2500, "INTER-BANK CREDIT R MORALES R-7KQ2M9XA")],
        ),
        (
            "anz-transactive",
            "03-Oct-2026,013000123456789,DDA,BSB,MERRI-BEK TECH,AUD,,CREDIT,R-7KQ2M9XA,25.00,"
            "PAYID R MORALES,03-Oct-2026,T000123,050,\n",
            [(2500, "R-7KQ2M9XA PAYID R MORALES")],
        ),
    ],
)
def test_each_banks_preset_reads_its_layout(preset, text, expected):
    lines = read_bank_csv(text, PRESETS[preset], today=TODAY)
    assert [(x.amount_cents, x.description) for x in lines] == expected


def test_a_trace_id_is_the_banks_id_and_another_currency_is_refused():
    row = "03-Oct-2026,013,DDA,BSB,MBT,{ccy},,CREDIT,REF,25.00,NARR,03-Oct-2026,T000123,050,\n"
    (line,) = read_bank_csv(row.format(ccy="AUD"), PRESETS["anz-transactive"], today=TODAY)
    assert line.bank_id == "csv:anz-transactive:T000123"
    with pytest.raises(InputProblems, match="line 1, column 6: is USD"):
        read_bank_csv(row.format(ccy="USD"), PRESETS["anz-transactive"], today=TODAY)


def test_future_dates_short_rows_and_zero_amounts_are_refused():
    text = "03/12/2027,25.00,FUTURE\n03/10/2026,25.00\n04/10/2026,0.00,NOTHING\n"
    with pytest.raises(InputProblems) as error:
        read_bank_csv(text, PRESETS["anz"], today=TODAY)
    assert [where for where, _ in error.value.problems] == [
        "line 1, column 1",
        "line 2",
        "line 3, amount",
    ]


def test_a_mapping_says_what_is_wrong_with_it():
    good = PRESETS["commbank"]
    assert all(not preset.problems() for preset in PRESETS.values())
    assert [field for field, _ in dataclasses.replace(good, amount_column=None).problems()] == [
        "amount_column"
    ]
    assert [field for field, _ in dataclasses.replace(good, debit_column=5).problems()] == [
        "amount_column"
    ]
    assert [
        field for field, _ in CsvLayout("x", "x", 1, "%d/%m/%Y", (), debit_column=2).problems()
    ] == ["debit_column", "description_columns"]
