import datetime
import re
from dataclasses import replace
from decimal import Decimal

import pytest

from solhost.qualification.cloud_ranges import CloudRangeIndex, parse_cloud_ranges
from solhost.qualification.dossier import (
    EndOfLife,
    EnergyResults,
    Evidence,
    Participation,
    PayRatio,
    Power,
)
from solhost.qualification.parameters import SPECS
from solhost.qualification.rules import (
    CRITERIA,
    CRITERIA_VERSION,
    REGISTRY,
    STATUSES,
    Outcome,
    Progress,
    Snapshot,
    evaluate,
    last_day_of_grace,
    progress,
    qualified,
    report,
)
from solhost.qualification.tests.builders import (
    AT,
    DOSSIER,
    LORES,
    PARAMS,
    REGION,
    SERVER,
    SERVICE,
    approved,
    east_of_boundary,
    with_server,
    with_service,
    with_year,
)

CHARTER_IDS = [
    "B1.1", "B1.2", "B1.3", "B1.4", "B2", "B3", "B3.1", "B3.2", "B3.3", "B4", "B5.1", "B5.2",
    "B6", "B7", "V1", "V2", "S1", "S2.1", "S2.2", "S2.3", "S3",
]  # fmt: skip
AWS = parse_cloud_ranges("aws", {"prefixes": [{"ip_prefix": "3.24.0.0/14"}], "ipv6_prefixes": []})


def run(criterion, dossier=DOSSIER, *, at=AT, params=PARAMS, ranges=()):
    snapshot = Snapshot(dossier, REGION, CloudRangeIndex(ranges))
    return REGISTRY[criterion].check(snapshot, params, at)


def one(criterion, dossier=DOSSIER, **kwargs) -> Outcome:
    (outcome,) = run(criterion, dossier, **kwargs)
    return outcome


def status(criterion, dossier=DOSSIER, **kwargs) -> str:
    return one(criterion, dossier, **kwargs).status


def params(**changes):
    return {**PARAMS, **changes}


# --- the registry ----------------------------------------------------------------------


def test_every_charter_criterion_has_a_check_title_and_known_parameters():
    assert sorted(REGISTRY) == sorted(CHARTER_IDS)
    for criterion in CRITERIA:
        assert criterion.title
        assert set(criterion.parameters) <= set(SPECS), criterion.id
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", CRITERIA_VERSION)


def test_every_outcome_uses_the_status_vocabulary_and_names_a_subject():
    outcomes = evaluate(Snapshot(DOSSIER, REGION), PARAMS, AT)
    assert {o.status for o in outcomes} <= set(STATUSES)
    assert {o.subject for o in outcomes} == {"partner", "server:home-1", "service:files"}


def test_qualified_only_when_every_outcome_is_met_grace_or_not_applicable():
    fine = [
        Outcome("S3", "server:a", "grace", ""),
        Outcome("V2", "service:b", "not_applicable", ""),
    ]
    assert qualified([Outcome("B1.1", "partner", "met", ""), *fine])
    assert not qualified([*fine, Outcome("B4", "partner", "needs_evidence", "")])
    assert not qualified([*fine, Outcome("S1", "server:a", "not_met", "")])


def test_the_report_records_version_verdict_outcomes_and_parameters():
    document = report([Outcome("B2", "partner", "met", "fine")], PARAMS)
    assert document["criteria_version"] == CRITERIA_VERSION
    assert document["qualified"] is True
    assert document["outcomes"] == [
        {"criterion": "B2", "subject": "partner", "status": "met", "reason": "fine"}
    ]
    assert document["parameters"]["local_max_distance_m"] == 1000
    assert document["parameters"]["pay_ceiling_cents_per_fte"] == 5_833_360


# --- B1 --------------------------------------------------------------------------------


def test_b1_1_surplus_exactly_at_the_limit_is_met_and_one_cent_more_is_not():
    five_percent = params(surplus_reserve_max_bp=500)
    at_limit = one("B1.1", with_year(surplus_cents=500_000), params=five_percent)
    assert at_limit.status == "met"
    assert at_limit.reason == (
        "the surplus of AUD 5,000.00 for the year ending 2026-06-30 is within the allowed "
        "reserve of AUD 5,000.00 (5 % of gross revenue AUD 100,000.00)"
    )
    assert status("B1.1", with_year(surplus_cents=500_001), params=five_percent) == "not_met"


def test_b1_1_with_the_charter_reserve_of_zero_any_surplus_fails_and_a_loss_passes():
    assert status("B1.1", with_year(surplus_cents=0)) == "met"
    assert status("B1.1", with_year(surplus_cents=1)) == "not_met"
    assert status("B1.1", with_year(surplus_cents=-250_000)) == "met"


def test_b1_financial_checks_read_the_latest_year_that_has_ended():
    before_the_year_ended = datetime.date(2026, 6, 29)
    outcome = one("B1.1", at=before_the_year_ended)
    assert outcome.status == "needs_evidence"
    assert outcome.reason == "no financial year ended by 2026-06-29 is declared"


def test_b1_2_investor_returns_fail_and_loan_repayments_are_allowed():
    outcome = one("B1.2")
    assert outcome.status == "met"
    assert "loan repayments of AUD 10,000.00 are allowed" in outcome.reason
    paid = one("B1.2", with_year(investor_returns_cents=100))
    assert paid.status == "not_met"
    assert paid.reason.startswith("AUD 1.00 was paid to investors")


def test_b1_3_a_cooperative_needs_its_number_and_an_approved_rules_document():
    assert status("B1.3") == "met"
    no_number = replace(DOSSIER.partner.legal_structure, registration_number=None)
    partner = replace(DOSSIER.partner, legal_structure=no_number)
    assert one("B1.3", replace(DOSSIER, partner=partner)).reason == (
        "a registered co-operative must give its registration number"
    )
    pending = Evidence("B1.3", "partner", "pending", None, None)
    outcome = one("B1.3", replace(DOSSIER, evidence=(pending,)))
    assert outcome.status == "needs_evidence"
    assert outcome.reason.endswith("has evidence awaiting the steward's review")


def test_b1_3_expired_evidence_needs_new_evidence():
    outcome = one("B1.3", at=datetime.date(2027, 7, 1))
    assert outcome.status == "needs_evidence"
    assert outcome.reason.endswith("has evidence that expired on 2027-06-30")


def test_b1_3_another_structure_needs_a_statement_the_steward_accepts():
    collective = replace(DOSSIER.partner.legal_structure, form="collective")
    dossier = replace(DOSSIER, partner=replace(DOSSIER.partner, legal_structure=collective))
    assert one("B1.3", dossier).status == "needs_evidence"
    stated = replace(collective, statement_of_structure="Surplus goes to the commons.")
    dossier = replace(DOSSIER, partner=replace(DOSSIER.partner, legal_structure=stated))
    assert one("B1.3", dossier).reason == (
        "the collective's statement of structure was accepted by the steward"
    )


def test_b1_4_union_participation_is_shown_by_evidence():
    assert (
        one("B1.4").reason
        == "3 of 3 workers are union members, shown by evidence the steward approved"
    )
    none = replace(DOSSIER.union_participation, union_members=0)
    assert status("B1.4", replace(DOSSIER, union_participation=none)) == "not_met"
    assert status("B1.4", replace(DOSSIER, evidence=())) == "needs_evidence"


def test_b1_4_approved_evidence_shows_it_without_declared_head_counts():
    undeclared = replace(DOSSIER, union_participation=None)
    assert (status("B1.4", undeclared), one("B1.4", undeclared).reason) == (
        "met",
        "union participation is shown by evidence the steward approved",
    )
    nothing = replace(undeclared, evidence=())
    assert (status("B1.4", nothing), one("B1.4", nothing).reason) == (
        "needs_evidence",
        "union participation is not declared, and it has no evidence yet",
    )
    pending = replace(undeclared, evidence=(Evidence("B1.4", "partner", "pending", None, None),))
    assert one("B1.4", pending).reason == (
        "union participation is not declared, and it has evidence awaiting the steward's review"
    )


# --- B2, B3 ----------------------------------------------------------------------------


def test_b2_needs_a_written_method_reviewed_by_the_steward():
    assert status("B2") == "met"
    assert one("B2", replace(DOSSIER, commons_stewardship=None)).reason == (
        "no commons stewardship method is written"
    )
    assert status("B2", replace(DOSSIER, evidence=())) == "needs_evidence"


def test_b3_is_met_only_when_all_three_parts_are():
    assert [status(c) for c in ("B3.1", "B3.2", "B3.3", "B3")] == ["met"] * 4
    no_data_return = replace(DOSSIER, end_of_life=EndOfLife(None, "Hand-over.", "Offered."))
    assert one("B3.1", no_data_return).reason == (
        "the end-of-life plan does not say how every user's data is returned in a useful "
        "format; its service names how residents export their data"
    )
    assert status("B3.2", no_data_return) == "met"
    assert one("B3", no_data_return).reason == (
        "the end-of-life plan is not complete: B3.1 not yet shown"
    )


def test_b3_1_reads_whether_each_service_names_how_residents_export_their_data():
    assert one("B3.1").reason == (
        "the end-of-life plan says how every user's data is returned in a useful format, and "
        "the steward approved it; its service names how residents export their data"
    )
    silent = replace(SERVICE, export_formats=(), account_move="none")
    chat = replace(SERVICE, id="chat", kind="chat", export_formats=("json",))
    dossier = replace(DOSSIER, services=(silent, chat))
    assert [status(c, dossier) for c in ("B3.1", "B3.2", "B3.3", "B3")] == [
        "needs_evidence", "met", "met", "needs_evidence",
    ]  # fmt: skip
    assert one("B3.1", dossier).reason == (
        "the end-of-life plan says how every user's data is returned in a useful format, and "
        "the steward approved it, but no way for residents to export their data is named for "
        "`files`"
    )
    assert one("B3", dossier).reason == "the end-of-life plan is not complete: B3.1 not yet shown"


@pytest.mark.parametrize(
    ("formats", "account_move", "named"),
    [
        (("ics",), "partly", True),
        (("git",), "none", True),
        # A service that keeps nothing about residents has nothing to return.
        ((), "no_account", True),
        ((), "whole", False),
        ((), "none", False),
        ((), None, False),
    ],
)
def test_an_export_method_is_a_format_or_nothing_kept(formats, account_move, named):
    dossier = with_service(export_formats=formats, account_move=account_move)
    assert (status("B3.1", dossier) == "met") is named


def test_b3_1_without_a_plan_also_names_the_services_without_an_export():
    dossier = replace(
        with_service(export_formats=()), end_of_life=EndOfLife(None, "Hand-over.", "Offered.")
    )
    assert one("B3.1", dossier).reason == (
        "the end-of-life plan does not say how every user's data is returned in a useful "
        "format, but no way for residents to export their data is named for `files`"
    )


def test_b3_parts_can_be_approved_one_by_one():
    evidence = (approved("B3.1"), approved("B3.2"))
    dossier = replace(DOSSIER, evidence=evidence)
    assert [status(c, dossier) for c in ("B3.1", "B3.2", "B3.3", "B3")] == [
        "met", "met", "needs_evidence", "needs_evidence",
    ]  # fmt: skip


# --- B4 --------------------------------------------------------------------------------


def test_b4_needs_evidence_until_governance_records_participation():
    outcome = one("B4")
    assert (outcome.status, outcome.reason) == (
        "needs_evidence",
        "governance participation is not recorded yet",
    )


@pytest.mark.parametrize(
    ("decisions", "voted", "expected"),
    [(1, 1, "needs_evidence"), (2, 2, "met"), (4, 3, "met"), (3, 2, "not_met"), (8, 0, "not_met")],
)
def test_b4_participation_at_least_three_quarters_of_two_or_more_decisions(
    decisions, voted, expected
):
    dossier = replace(DOSSIER, participation=Participation(decisions, voted))
    assert status("B4", dossier) == expected


def test_b4_reason_has_the_numbers():
    dossier = replace(DOSSIER, participation=Participation(4, 3))
    assert one("B4", dossier).reason == (
        "voted in 3 of 4 decisions closed in the last 365 days (75 %, least 75 %)"
    )


# --- B5 --------------------------------------------------------------------------------


def test_b5_1_a_stated_cap_is_checked_against_the_actual_ratio():
    assert one("B5.1").reason == (
        "the highest-to-lowest pay ratio of 1.2:1 is within the plan's cap of 1.5:1"
    )
    over = replace(DOSSIER, pay_ratio=PayRatio("Plan.", Decimal("1.5"), Decimal("1.6")))
    assert status("B5.1", over) == "not_met"
    unknown = replace(DOSSIER, pay_ratio=PayRatio("Plan.", Decimal("1.5"), None))
    assert status("B5.1", unknown) == "needs_evidence"


def test_b5_1_a_plan_without_a_cap_needs_the_stewards_review():
    no_cap = replace(DOSSIER, pay_ratio=PayRatio("Gender pay gap audit.", None, None))
    assert status("B5.1", no_cap) == "needs_evidence"
    assert status("B5.1", replace(no_cap, evidence=(approved("B5.1"),))) == "met"
    no_plan = replace(DOSSIER, pay_ratio=PayRatio(None, None, None))
    assert one("B5.1", no_plan).reason == "no written plan against widening inequality"


def test_b5_2_pay_exactly_at_the_ceiling_is_met_and_a_cent_more_is_not():
    at_ceiling = one("B5.2", with_year(labour_payments_cents=11_666_720, fte=Decimal(2)))
    assert at_ceiling.status == "met"
    assert at_ceiling.reason == (
        "labour payments of AUD 116,667.20 over 2 FTE in the year ending 2026-06-30 are "
        "AUD 58,333.60 per FTE (ceiling AUD 58,333.60)"
    )
    above = with_year(labour_payments_cents=11_666_721, fte=Decimal(2))
    assert status("B5.2", above) == "not_met"


def test_b5_2_fractional_fte_and_no_pay():
    assert status("B5.2", with_year(labour_payments_cents=14_583_400, fte=Decimal("2.5"))) == "met"
    assert status("B5.2", with_year(labour_payments_cents=14_583_401, fte=Decimal("2.5"))) == (
        "not_met"
    )
    assert status("B5.2", with_year(labour_payments_cents=0, fte=Decimal(0))) == "met"


# --- B6 --------------------------------------------------------------------------------


def test_b6_rolls_up_the_service_and_server_criteria():
    energy = {"home-1": EnergyResults(datetime.date(2026, 1, 14), 8500, 365, 80)}
    all_good = replace(DOSSIER, energy=energy)
    assert one("B6", all_good).reason == "all 1 service on 1 server meet every V and S criterion"
    assert status("B6", all_good) == "met"
    proprietary = replace(all_good, services=(replace(DOSSIER.services[0], licence="BUSL-1.1"),))
    outcome = one("B6", proprietary)
    assert outcome.status == "not_met"
    assert outcome.reason == "not all 1 service on 1 server qualify: V1 service:files not met"
    assert status("B6") == "needs_evidence"


def test_b6_is_in_grace_while_a_server_is():
    energy = {"home-1": EnergyResults(datetime.date(2026, 9, 14), 8500, 60, None)}
    new_server = replace(with_server(operation_started=datetime.date(2026, 9, 1)), energy=energy)
    assert status("B6", new_server) == "grace"


# --- B7 --------------------------------------------------------------------------------


def test_b7_land_back_at_9_99_percent_is_not_met_and_at_10_percent_is():
    short = one("B7", with_year(land_back_cents=999_000))
    assert short.status == "not_met"
    assert short.reason == (
        "land-back contributions of AUD 9,990.00 are 9.99 % of gross revenue AUD 100,000.00 "
        "in the year ending 2026-06-30 (least 10 %)"
    )
    assert status("B7", with_year(land_back_cents=1_000_000)) == "met"
    assert status("B7", with_year(land_back_cents=999_999)) == "not_met"


def test_b7_does_not_apply_to_a_first_nations_run_partner_once_reviewed():
    first_nations = replace(DOSSIER, partner=replace(DOSSIER.partner, run_by="first_nations"))
    poor = replace(
        first_nations, financial_years=(replace(DOSSIER.financial_years[0], land_back_cents=0),)
    )
    assert status("B7", poor) == "needs_evidence"
    assert status("B7", replace(poor, evidence=(approved("B7"),))) == "not_applicable"


# --- V1 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("licence", "expected"),
    [
        ("GPL-3.0-or-later", "met"),
        ("MIT AND Apache-2.0", "met"),
        ("LicenseRef-scancode-anti-capitalist-1.4", "met"),
        ("Hippocratic-2.1", "met"),
        ("GPL-2.0-or-later WITH Classpath-exception-2.0", "met"),
        ("BUSL-1.1", "not_met"),
        ("LicenseRef-scancode-proprietary-license", "not_met"),
        ("MIT OR Proprietary", "met"),
        ("MIT AND Proprietary", "not_met"),
        ("(MIT OR BUSL-1.1) AND SSPL-1.0", "not_met"),
    ],
)
def test_v1_licences(licence, expected):
    assert status("V1", with_service(licence=licence)) == expected


def test_v1_reasons_name_the_licences_that_decided():
    assert one("V1", with_service(licence="MIT AND Apache-2.0")).reason == (
        "service `files`: licence `MIT AND Apache-2.0` resolves to free licences: "
        "MIT (OSI-approved, FSF-libre), Apache-2.0 (OSI-approved, FSF-libre)"
    )
    assert one("V1", with_service(licence="MIT OR Proprietary")).reason == (
        "service `files`: licence `MIT OR Proprietary` resolves to free licences: "
        "MIT (OSI-approved, FSF-libre)"
    )
    assert one("V1", with_service(licence="MIT AND Proprietary")).reason == (
        "service `files`: licence `MIT AND Proprietary` needs licences that are not free: "
        "Proprietary (not a known licence identifier)"
    )


def test_v1_liberatory_licences_come_from_the_parameter():
    anti_capitalist = with_service(licence="LicenseRef-scancode-anti-capitalist-1.4")
    assert status("V1", anti_capitalist, params=params(liberatory_licences=[])) == "not_met"
    reticulum = with_service(licence="LicenseRef-Reticulum")
    assert one("V1", reticulum).reason.endswith("LicenseRef-Reticulum (on the liberatory list)")


# --- V2 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "audience", "lores", "expected"),
    [
        ("websites", "public", LORES, "met"),
        ("websites", "public", replace(LORES, recommended=False), "not_met"),
        ("websites", "public", None, "not_met"),
        ("websites", "members", None, "not_applicable"),
        ("files", "public", None, "not_applicable"),
    ],
)
def test_v2_lores_covered_public_services_must_offer_and_recommend_lores(
    kind, audience, lores, expected
):
    assert status("V2", with_service(kind=kind, audience=audience, lores=lores)) == expected


# --- S1 --------------------------------------------------------------------------------


def test_s1_999_m_outside_is_met_and_1001_m_is_not():
    near = one("S1", with_server(location=east_of_boundary(999)))
    assert (near.status, near.reason.split(";")[0]) == (
        "met",
        "server `home-1` is 999 m outside the boundary (limit 1000 m)",
    )
    far = one("S1", with_server(location=east_of_boundary(1001)))
    assert (far.status, far.reason.split(";")[0]) == (
        "not_met",
        "server `home-1` is 1001 m outside the boundary (limit 1000 m)",
    )


def test_s1_inside_and_the_limit_is_a_parameter():
    assert one("S1").reason.startswith("server `home-1` is inside the boundary")
    far = with_server(location=east_of_boundary(1400))
    assert status("S1", far, params=params(local_max_distance_m=1500)) == "met"


def test_s1_says_when_no_cloud_ranges_were_loaded():
    assert one("S1").reason.endswith(
        "; its IP addresses were not compared with cloud ranges, as none were loaded"
    )
    assert one("S1", ranges=AWS).reason == "server `home-1` is inside the boundary"


def test_s1_an_offsite_backup_at_a_small_data_centre_may_be_anywhere():
    ballarat = with_server(
        role="offsite_backup",
        location=replace(SERVER.location, latitude=-37.5622, longitude=143.8503),
        hosting_company="Goldfields Community Data Centre",
        ips=("198.51.100.20",),
    )
    outcome = one("S1", ballarat, ranges=AWS)
    assert outcome.status == "met"
    assert outcome.reason == (
        "server `home-1` is an off-site backup, which may be anywhere, and is not hosted by "
        "Amazon, Google or Microsoft"
    )


def test_s1_an_offsite_backup_on_aws_found_by_ip_range_alone_is_not_met():
    hidden = with_server(
        role="offsite_backup", hosting_company="Northside Storage Pty Ltd", ips=("3.24.10.20",)
    )
    outcome = one("S1", hidden, ranges=AWS)
    assert outcome.status == "not_met"
    assert outcome.reason == (
        "server `home-1` cannot qualify anywhere: its address 3.24.10.20 is in Amazon's "
        "published range 3.24.0.0/14"
    )


def test_s1_an_offsite_backup_on_aws_behind_an_ipv4_mapped_address_is_not_met():
    hidden = with_server(
        role="offsite_backup", hosting_company="Northside Storage Pty Ltd", ips=("::ffff:3.24.0.1",)
    )
    outcome = one("S1", hidden, ranges=AWS)
    assert outcome.status == "not_met"
    assert outcome.reason == (
        "server `home-1` cannot qualify anywhere: its address ::ffff:3.24.0.1 is in Amazon's "
        "published range 3.24.0.0/14"
    )


@pytest.mark.parametrize(
    ("company", "asn", "why"),
    [
        ("Amazon Web Services Australia Pty Ltd", None, "its declared host"),
        ("GCP australia-southeast2", None, "is Google"),
        ("Microsoft Azure", None, "is Microsoft"),
        ("Northside Storage", 16509, "its network AS16509 belongs to Amazon"),
    ],
)
def test_s1_hyperscalers_are_excluded_by_declared_host_or_asn(company, asn, why):
    outcome = one("S1", with_server(role="dns", hosting_company=company, asn=asn))
    assert outcome.status == "not_met"
    assert why in outcome.reason


def test_s1_the_excluded_companies_and_exception_roles_are_parameters():
    on_azure = with_server(role="dns", hosting_company="Azure", location=east_of_boundary(50_000))
    assert status("S1", on_azure, params=params(excluded_cloud_companies=["Amazon"])) == "met"
    assert status("S1", on_azure, params=params(s1_exception_roles=["offsite_backup"])) == (
        "not_met"
    )


# --- S2 --------------------------------------------------------------------------------


def test_s2_needs_energy_results_and_judges_them_when_given():
    assert one("S2.1").reason == (
        "no telemetry or model shows a day on which server `home-1` used no grid energy"
    )
    assert status("S2.2") == "needs_evidence"
    measured = replace(
        DOSSIER, energy={"home-1": EnergyResults(datetime.date(2026, 1, 14), 8000, 365, None)}
    )
    assert one("S2.1", measured).reason == "server `home-1` used no grid energy on 2026-01-14"
    assert one("S2.2", measured).reason == (
        "server `home-1`: 80 % renewable over the last 365 days, at least the 80 % the charter asks."
    )
    short = replace(DOSSIER, energy={"home-1": EnergyResults(None, 7999, 200, None)})
    assert one("S2.2", short).status == "not_met"
    assert one("S2.2", short).reason == (
        "server `home-1`: 79.99 % renewable over the 200 days measured of the last 365 days, "
        "below the 80 % the charter asks."
    )


def test_s2_2_says_what_the_days_measured_show_while_too_few_are_measured():
    thin = EnergyResults(days_measured=28, measured_share_bp=10_000, coverage_bp=767)
    outcome = one("S2.2", replace(DOSSIER, energy={"home-1": thin}))
    assert (outcome.status, outcome.reason) == (
        "needs_evidence",
        "server `home-1`: 100 % renewable over the 28 days measured so far; the share is "
        "judged once 90 % of 365 days are measured (7.67 % now).",
    )


def test_s2_exception_role_servers_are_judged_on_data_centre_evidence():
    backup = with_server(role="offsite_backup", power=Power("none", None))
    assert [status(c, backup) for c in ("S2.1", "S2.2", "S2.3", "S3")] == [
        "needs_evidence", "needs_evidence", "not_applicable", "not_applicable",
    ]  # fmt: skip
    reviewed = replace(backup, evidence=(approved("S2", "server:home-1"),))
    assert [status(c, reviewed) for c in ("S2.1", "S2.2")] == ["met", "met"]


def test_s2_3_generation_on_site_or_at_a_community_installation_near_enough():
    assert status("S2.3") == "met"
    community = Power("community", east_of_boundary(1001))
    outcome = one("S2.3", with_server(power=community))
    assert (outcome.status, outcome.reason) == (
        "not_met",
        "server `home-1` draws on the community installation, which is 1001 m outside the "
        "boundary (limit 1000 m)",
    )
    assert status("S2.3", with_server(power=Power("community", east_of_boundary(-10)))) == "met"
    assert status("S2.3", with_server(power=Power("none", None))) == "not_met"


# --- progress --------------------------------------------------------------------------


def test_progress_counts_criteria_shown_and_not_met_leaving_roll_ups_to_their_parts():
    found = progress(
        [
            ("B1.1", "met"),
            ("B1.4", "needs_evidence"),
            ("B3.1", "met"),
            ("B3", "met"),
            ("B6", "not_met"),
            ("S1", "met"),
            ("S1", "not_met"),
            ("S3", "grace"),
            ("S2.3", "not_applicable"),
        ]
    )
    assert found == Progress(shown=4, not_met=1, total=6)


@pytest.mark.parametrize("review", ["pending", "approved", "rejected", "more_requested"])
def test_evidence_in_any_state_never_makes_a_criterion_not_met(review):
    bare = replace(DOSSIER, evidence=())
    before = {
        (o.criterion, o.subject): o.status for o in evaluate(Snapshot(bare, REGION), PARAMS, AT)
    }
    sent = tuple(
        Evidence(criterion, subject, review, None, None)
        for criterion, subject in before
        if criterion not in ("B3", "B6")
    )
    after = evaluate(Snapshot(replace(bare, evidence=sent), REGION), PARAMS, AT)
    for outcome in after:
        if outcome.status == "not_met":
            assert before[(outcome.criterion, outcome.subject)] == "not_met", outcome


# --- S3 --------------------------------------------------------------------------------

STARTED = datetime.date(2025, 7, 1)
LAST_DAY_OF_GRACE = datetime.date(2026, 6, 30)


def test_the_grace_window_counts_the_first_day_of_operation():
    assert last_day_of_grace(STARTED, 365) == LAST_DAY_OF_GRACE


def test_s3_grace_on_the_last_day_of_grace_and_needs_evidence_the_day_after():
    new = with_server(operation_started=STARTED)
    last = one("S3", new, at=LAST_DAY_OF_GRACE)
    assert last.status == "grace"
    assert last.reason == (
        "server `home-1`: In its start-up grace period: it must ride through a 72-hour power "
        "outage after 30 June 2026."
    )
    after = one("S3", new, at=datetime.date(2026, 7, 1))
    assert after.status == "needs_evidence"
    assert after.reason == "server `home-1`: No meter readings have been analysed yet."


@pytest.mark.parametrize(("hours", "expected"), [(71, "not_met"), (72, "met"), (96, "met")])
def test_s3_after_grace_the_outage_hours_decide(hours, expected):
    dossier = replace(
        with_server(operation_started=STARTED),
        energy={"home-1": EnergyResults(outage_hours_survived=hours)},
    )
    assert status("S3", dossier, at=datetime.date(2026, 7, 1)) == expected
    assert status("S3", dossier, at=LAST_DAY_OF_GRACE) == ("met" if hours >= 72 else "grace")
