"""The dossier written as its JSON document, and what an import takes from it. No database."""

import datetime
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from solhost.qualification.dossier import Location, Power, parse_dossier
from solhost.qualification.dossier_document import (
    declarations_from,
    dossier_document,
    recommended_lores_ids,
    subject_id,
)
from solhost.qualification.tests.builders import (
    DOSSIER,
    LORES,
    SERVICE,
    with_server,
    with_year,
)

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
VALID_EXAMPLES = sorted(p for p in EXAMPLES.glob("dossier-*.json") if "malformed" not in p.name)


@pytest.mark.parametrize("path", VALID_EXAMPLES, ids=lambda p: p.name)
def test_every_example_reads_back_as_the_same_dossier(path):
    dossier = parse_dossier(json.loads(path.read_text()))
    document = dossier_document(dossier)
    assert parse_dossier(json.loads(json.dumps(document))) == dossier


def test_the_document_names_the_published_schema_and_writes_days_as_iso_dates():
    document = dossier_document(DOSSIER)
    assert document["$schema"] == "https://solhost.example.org/schemas/dossier.schema.json"
    assert document["financial_years"][0]["ends"] == "2026-06-30"
    assert document["servers"][0]["operation_started"] == "2024-07-01"
    assert document["evidence"][0]["valid_from"] == "2025-07-01"
    assert document["evidence"][0]["valid_until"] == "2027-06-30"


def test_whole_decimals_are_written_as_integers_and_others_as_numbers_with_a_fraction():
    assert dossier_document(with_year(fte=Decimal("3.000")))["financial_years"][0]["fte"] == 3
    assert dossier_document(with_year(fte=Decimal("2.5")))["financial_years"][0]["fte"] == 2.5
    pay = dossier_document(DOSSIER)["pay_ratio"]
    assert pay == {"plan": "Equal hourly pay.", "cap": 1.5, "actual": 1.2}
    assert isinstance(dossier_document(with_year(fte=Decimal(2)))["financial_years"][0]["fte"], int)


def test_a_community_installation_is_written_with_its_name_only_when_it_has_one():
    named = Power("community", Location(-37.75, 144.96, "Coburg hall"))
    unnamed = Power("community", Location(-37.75, 144.96, None))
    assert dossier_document(with_server(power=named))["servers"][0]["power"] == {
        "generation": "community",
        "community_installation": {"latitude": -37.75, "longitude": 144.96, "name": "Coburg hall"},
    }
    assert dossier_document(with_server(power=unnamed))["servers"][0]["power"][
        "community_installation"
    ] == {"latitude": -37.75, "longitude": 144.96}


def test_participation_and_energy_are_left_out_when_unknown():
    document = dossier_document(replace(DOSSIER, participation=None, energy=None))
    assert "participation" not in document
    assert "energy" not in document


def test_slugs_become_dossier_ids_in_lower_case_with_hyphens_and_at_most_60_characters():
    assert subject_id("Home_Server_1") == "home-server-1"
    assert subject_id("files") == "files"
    assert subject_id("a" * 70) == "a" * 60


def test_an_import_takes_the_declarations_and_years_as_field_values():
    declared, years = declarations_from(DOSSIER)
    assert declared == {
        "run_by": "settlers",
        "land_back_withheld_by_platform": False,
        "statement_of_structure": "",
        "pay_ratio_plan": "Equal hourly pay.",
        "pay_ratio_cap": Decimal("1.5"),
        "pay_ratio_actual": Decimal("1.2"),
        "union_workers": 3,
        "union_members": 3,
        "union_description": "",
        "commons_stewardship": "A solidarity tier for residents on income support.",
        "data_return": "Exports by email link.",
        "user_migration": "Hand-over to another partner.",
        "infrastructure_handover": "Offered free.",
    }
    assert years == [
        {
            "ends": datetime.date(2026, 6, 30),
            "gross_revenue_cents": 10_000_000,
            "labour_payments_cents": 8_000_000,
            "fte": Decimal(2),
            "surplus_cents": 0,
            "investor_returns_cents": 0,
            "loan_repayments_cents": 1_000_000,
            "land_back_cents": 1_000_000,
        }
    ]


def test_missing_union_participation_clears_the_union_fields():
    declared, _ = declarations_from(replace(DOSSIER, union_participation=None))
    assert (declared["union_workers"], declared["union_members"]) == (None, None)
    assert declared["union_description"] == ""


def test_only_services_whose_lores_option_is_recommended_are_taken():
    not_recommended = replace(SERVICE, id="chat", lores=replace(LORES, recommended=False))
    dossier = replace(
        DOSSIER,
        services=(replace(SERVICE, lores=LORES), not_recommended, replace(SERVICE, id="wiki")),
    )
    assert recommended_lores_ids(dossier) == {"files"}
