import copy
import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from solhost.partners.exits import EXPORT_FORMATS
from solhost.qualification.dossier import (
    SCHEMA_PATH,
    DossierError,
    Evidence,
    dossier_schema,
    json_path,
    parse_dossier,
)

DOCS = Path(__file__).resolve().parents[3] / "docs"
EXAMPLES = DOCS / "examples"


def example(name="dossier-qualifies.json"):
    return json.loads((EXAMPLES / name).read_text())


def problems_of(document):
    with pytest.raises(DossierError) as caught:
        parse_dossier(document)
    return caught.value.problems


def test_the_schema_is_valid_draft_2020_12_and_published_in_docs():
    Draft202012Validator.check_schema(dossier_schema())
    assert dossier_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert (DOCS / "dossier.schema.json").resolve() == SCHEMA_PATH.resolve()


def test_the_qualifying_example_is_read_into_plain_values():
    dossier = parse_dossier(example())
    assert dossier.partner.settler_run
    assert dossier.partner.legal_structure.registration_number == "C0012345"
    latest = dossier.latest_year(datetime.date(2026, 11, 1))
    assert latest.ends == datetime.date(2026, 6, 30)
    assert latest.gross_revenue_cents == 18_000_000
    assert latest.fte == Decimal(3)
    assert dossier.financial_years[0].fte == Decimal("2.5")
    assert dossier.pay_ratio.cap == Decimal("1.5")
    assert [s.id for s in dossier.servers] == [
        "mch-coburg-1", "mch-northcote-node", "mch-backup-ballarat",
    ]  # fmt: skip
    node = dossier.servers[1]
    assert node.power.community_installation.name == "Merri Creek Community Solar"
    assert dossier.services[1].lores.recommended is True
    assert dossier.energy["mch-northcote-node"].outage_hours_survived is None
    assert dossier.participation.voted == 7


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("dossier-*.json")), ids=lambda p: p.name)
def test_every_example_but_the_malformed_one_is_a_valid_dossier(path):
    document = json.loads(path.read_text())
    if path.name == "dossier-malformed.json":
        assert problems_of(document)
    else:
        parse_dossier(document)


def test_the_malformed_example_lists_every_problem_with_its_json_path():
    assert problems_of(example("dossier-malformed.json")) == [
        ("$.end_of_life.user_migration", "is required"),
        ("$.financial_years[1].gross_revenue_cents", "must be a whole number, got '18000000'"),
        ("$.partner.run_by", "must be one of settlers, first_nations, got 'nobody'"),
        ("$.servers[0].ips[2]", "is not an IP address: '203.0.113.300'"),
        ("$.servers[2].latitude", "must be between -90 and 90, got -95"),
        ("$.services[0].servers[2]", "no server has the id 'mch-nowhere'"),
        (
            "$.services[1].licence",
            "cannot read the licence expression 'MIT AND (': Invalid expression",
        ),
    ]


def test_structural_problems_name_their_fields():
    document = example()
    document["surprise"] = True
    document["servers"][1]["role"] = "mining"
    document["servers"][0]["operation_started"] = "2024-02-30"
    document["services"] = []
    document["pay_ratio"]["cap"] = "two"
    document["evidence"][0]["subject"] = "someone"
    assert problems_of(document) == [
        ("$.evidence[0].subject", "must be partner, server:<id> or service:<id>, got 'someone'"),
        ("$.pay_ratio.cap", "must be a number or null, got 'two'"),
        ("$.servers[0].operation_started", "must be a date written YYYY-MM-DD, got '2024-02-30'"),
        (
            "$.servers[1].role",
            "must be one of primary, offsite_backup, dns, cloud_connector, got 'mining'",
        ),
        ("$.services", "must list at least 1 entry"),
        ("$.surprise", "is not a field of the dossier"),
    ]


def test_what_the_schema_cannot_say_is_checked_too():
    document = example()
    document["servers"][2]["id"] = "mch-coburg-1"
    document["services"][2]["id"] = "files"
    document["servers"][1]["power"]["community_installation"] = None
    document["financial_years"][1]["ends"] = "2025-06-30"
    document["financial_years"][1]["fte"] = 0
    document["union_participation"]["union_members"] = 5
    document["participation"]["voted"] = 9
    document["energy"]["ghost"] = {}
    document["evidence"][4]["subject"] = "server:ghost"
    document["evidence"][0]["valid_until"] = "2025-01-01"
    assert problems_of(document) == [
        ("$.energy.ghost", "no server has the id 'ghost'"),
        ("$.evidence[0].valid_until", "must not be before valid_from (2025-07-01)"),
        ("$.evidence[4].subject", "no server has the id 'ghost'"),
        ("$.financial_years[1].ends", "repeats the year ending 2025-06-30"),
        ("$.financial_years[1].fte", "must be above 0 when labour payments are declared"),
        ("$.participation.voted", "must not exceed decisions (8), got 9"),
        (
            "$.servers[1].power.community_installation",
            "is required when generation is community",
        ),
        ("$.servers[2].id", "repeats the id 'mch-coburg-1' of $.servers[0]"),
        ("$.services[0].servers[1]", "no server has the id 'mch-backup-ballarat'"),
        ("$.services[2].id", "repeats the id 'files' of $.services[0]"),
        ("$.union_participation.union_members", "must not exceed workers (4), got 5"),
    ]


def test_a_document_that_is_not_an_object_is_refused():
    assert problems_of([]) == [("$", "must be an object, got []")]


def test_blank_text_counts_as_missing():
    document = copy.deepcopy(example())
    document["end_of_life"]["data_return"] = "   "
    assert parse_dossier(document).end_of_life.data_return is None


def test_json_paths_quote_keys_that_are_not_identifiers():
    assert json_path(["energy", "mch-1", "renewable_share_bp"]) == (
        '$.energy["mch-1"].renewable_share_bp'
    )


def test_evidence_is_in_force_only_when_approved_and_within_its_dates():
    evidence = Evidence(
        "B2", "partner", "approved", datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
    )
    assert evidence.in_force(datetime.date(2026, 12, 31))
    assert not evidence.in_force(datetime.date(2027, 1, 1))
    assert not evidence.in_force(datetime.date(2025, 12, 31))
    pending = Evidence("B2", "partner", "pending", None, None)
    assert not pending.in_force(datetime.date(2026, 6, 1))


def test_a_services_export_formats_and_account_move_are_read_and_checked():
    document = example()
    assert parse_dossier(document).services[0].export_formats == (
        "original-files", "zip", "ics", "vcf",
    )  # fmt: skip
    del document["services"][2]["export_formats"], document["services"][2]["account_move"]
    notices = parse_dossier(document).services[2]
    assert (notices.export_formats, notices.account_move) == ((), None)
    document["services"][0]["export_formats"] = ["zip", "docx"]
    document["services"][1]["account_move"] = "teleport"
    formats = ", ".join(EXPORT_FORMATS)
    assert problems_of(document) == [
        ("$.services[0].export_formats[1]", f"must be one of {formats}, got 'docx'"),
        (
            "$.services[1].account_move",
            "must be one of whole, partly, none, no_account, got 'teleport'",
        ),
    ]
