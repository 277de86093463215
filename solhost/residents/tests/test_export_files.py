"""The export's files from a document: CSV tables, money in cents and dollars, the zip."""

import csv
import io
import json
import zipfile

from solhost.residents.export_files import (
    JSON_NAME,
    README_NAME,
    SCHEMA_NAME,
    TABLES,
    money_rows,
    table_csv,
    write_zip,
)

TABLE = {table.key: table for table in TABLES}


def document(**lists) -> dict:
    empty = {table.key: [] for table in TABLES}
    return {
        "generated_at": "2026-11-06T09:30:00+11:00",
        "region": {"name": "Merri-bek", "domain": "example.org"},
        **empty,
        **lists,
    }


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_a_cents_column_is_followed_by_dollars():
    doc = document(
        payments=[
            {
                "received_on": "2026-10-15",
                "reference": "R-1",
                "amount_cents": 2505,
                "source": "csv",
                "reversal_kind": None,
                "reversed_on": None,
                "reversal_reason": None,
            }
        ]
    )
    assert rows(table_csv(doc, TABLE["payments"])) == [
        [
            "received_on",
            "reference",
            "amount_cents",
            "amount_aud",
            "source",
            "reversal_kind",
            "reversed_on",
            "reversal_reason",
        ],
        ["2026-10-15", "R-1", "2505", "25.05", "csv", "", "", ""],
    ]


def test_lists_booleans_and_nothing_read_as_text():
    doc = document(
        sessions=[
            {
                "started_at": "2026-10-01T10:00:00+10:00",
                "last_authenticated_at": None,
                "methods": ["pwd", "otp"],
                "browser": "Firefox",
                "address": None,
                "sid": "s",
            }
        ],
        emails=[{"email": "rita@example.org", "verified": True, "primary": False}],
    )
    assert rows(table_csv(doc, TABLE["sessions"]))[1] == [
        "2026-10-01T10:00:00+10:00",
        "",
        "pwd otp",
        "Firefox",
        "",
        "s",
    ]
    assert rows(table_csv(doc, TABLE["emails"]))[1] == ["rita@example.org", "true", "false"]


def test_text_a_spreadsheet_would_run_stays_text():
    doc = document(
        sessions=[
            {
                "started_at": "t",
                "last_authenticated_at": None,
                "methods": [],
                "browser": '=HYPERLINK("http://evil.example")',
                "address": "@home",
                "sid": "-1",
            }
        ]
    )
    row = rows(table_csv(doc, TABLE["sessions"]))[1]
    assert row[3:] == ['\'=HYPERLINK("http://evil.example")', "'@home", "'-1"]


def test_each_month_lists_where_its_payment_went():
    month = {
        "period": "2026-10",
        "paid_cents": 2500,
        "commons_cents": 250,
        "solidarity_cents": 250,
        "zero_usage_cents": 0,
        "services": [
            {
                "service": "mcc-files",
                "service_name": "MCC Files",
                "partner": "mcc",
                "active_days": 3,
                "held_for_partner": False,
                "cents": 1500,
            },
            {
                "service": "cct-chat",
                "service_name": "CCT Chat",
                "partner": "cct",
                "active_days": 1,
                "held_for_partner": True,
                "cents": 500,
            },
        ],
    }
    listed = list(money_rows([month]))
    assert [(r["went_to"], r.get("service"), r["amount_cents"]) for r in listed] == [
        ("service", "mcc-files", 1500),
        ("service", "cct-chat", 500),
        ("commons", None, 250),
        ("solidarity_fund", None, 250),
    ]
    assert sum(r["amount_cents"] for r in listed) == month["paid_cents"]
    table = rows(table_csv(document(money_by_month=[month]), TABLE["money_by_month"]))
    assert table[2] == [
        "2026-10",
        "service",
        "cct-chat",
        "CCT Chat",
        "cct",
        "1",
        "true",
        "500",
        "5.00",
    ]
    assert table[3] == ["2026-10", "commons", "", "", "", "", "", "250", "2.50"]


def test_the_zip_holds_the_json_the_schema_a_readme_and_every_table():
    doc = document(emails=[{"email": "rita@example.org", "verified": True, "primary": True}])
    out = io.BytesIO()
    write_zip(doc, schema_text='{"title": "schema"}', out=out)
    archive = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    assert archive.namelist() == [
        README_NAME,
        JSON_NAME,
        SCHEMA_NAME,
        *(table.file_name for table in TABLES),
    ]
    assert json.loads(archive.read(JSON_NAME)) == doc
    assert archive.read(SCHEMA_NAME) == b'{"title": "schema"}'
    readme = archive.read(README_NAME).decode()
    assert "Merri-bek" in readme and all(t.file_name in readme for t in TABLES)
    assert archive.getinfo(JSON_NAME).date_time == (2026, 11, 6, 9, 30, 0)
    assert archive.testzip() is None
