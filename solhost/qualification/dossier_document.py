"""The dossier as the platform writes it and reads it back. Pure: no Django.

``dossier_document`` writes a dossier as the JSON document ``parse_dossier`` reads (the
export, and what self-assessment checks); ``subject_id`` names a server or service in
that document; ``declarations_from`` and ``recommended_lores_ids`` take from a parsed
dossier the parts an import stores: declarations, financial years and the LoRes options
the partner recommends.
"""

import datetime
from decimal import Decimal
from typing import Any

from solhost.qualification import dossier as d


def subject_id(slug: str) -> str:
    """A server or service slug as a dossier id (lower case, hyphens, at most 60 characters)."""
    return slug.lower().replace("_", "-")[:60]


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _location(location: d.Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    found: dict[str, Any] = {"latitude": location.latitude, "longitude": location.longitude}
    if location.name:
        found["name"] = location.name
    return found


def _day(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


def dossier_document(dossier: d.Dossier) -> dict[str, Any]:
    """The dossier as the JSON document ``parse_dossier`` reads."""
    partner = dossier.partner
    document: dict[str, Any] = {
        "$schema": "https://solhost.example.org/schemas/dossier.schema.json",
        "partner": {
            "name": partner.name,
            "legal_structure": {
                "form": partner.legal_structure.form,
                "registration_number": partner.legal_structure.registration_number,
                "statement_of_structure": partner.legal_structure.statement_of_structure,
            },
            "run_by": partner.run_by,
            "land_back_withheld_by_platform": partner.land_back_withheld_by_platform,
        },
        "financial_years": [
            {
                "ends": year.ends.isoformat(),
                "gross_revenue_cents": year.gross_revenue_cents,
                "labour_payments_cents": year.labour_payments_cents,
                "fte": _number(year.fte),
                "surplus_cents": year.surplus_cents,
                "investor_returns_cents": year.investor_returns_cents,
                "loan_repayments_cents": year.loan_repayments_cents,
                "land_back_cents": year.land_back_cents,
            }
            for year in dossier.financial_years
        ],
        "pay_ratio": {
            "plan": dossier.pay_ratio.plan,
            "cap": _number(dossier.pay_ratio.cap),
            "actual": _number(dossier.pay_ratio.actual),
        },
        "union_participation": None
        if dossier.union_participation is None
        else {
            "workers": dossier.union_participation.workers,
            "union_members": dossier.union_participation.union_members,
            "description": dossier.union_participation.description,
        },
        "commons_stewardship": dossier.commons_stewardship,
        "end_of_life": {
            "data_return": dossier.end_of_life.data_return,
            "user_migration": dossier.end_of_life.user_migration,
            "infrastructure_handover": dossier.end_of_life.infrastructure_handover,
        },
        "servers": [
            {
                "id": server.id,
                "role": server.role,
                "latitude": server.location.latitude,
                "longitude": server.location.longitude,
                "hosting_company": server.hosting_company,
                "asn": server.asn,
                "ips": list(server.ips),
                "operation_started": server.operation_started.isoformat(),
                "power": {
                    "generation": server.power.generation,
                    "community_installation": _location(server.power.community_installation),
                },
            }
            for server in dossier.servers
        ],
        "services": [
            {
                "id": service.id,
                "kind": service.kind,
                "licence": service.licence,
                "audience": service.audience,
                "servers": list(service.servers),
                "lores": None
                if service.lores is None
                else {"url": service.lores.url, "recommended": service.lores.recommended},
                "export_formats": list(service.export_formats),
                **({} if service.account_move is None else {"account_move": service.account_move}),
            }
            for service in dossier.services
        ],
        "evidence": [
            {
                "criterion": item.criterion,
                "subject": item.subject,
                "review": item.review,
                "valid_from": _day(item.valid_from),
                "valid_until": _day(item.valid_until),
            }
            for item in dossier.evidence
        ],
    }
    if dossier.participation is not None:
        document["participation"] = {
            "decisions": dossier.participation.decisions,
            "voted": dossier.participation.voted,
        }
    if dossier.energy is not None:
        document["energy"] = {
            server_id: {
                "fully_renewable_day": _day(results.fully_renewable_day),
                "renewable_share_bp": results.renewable_share_bp,
                "days_measured": results.days_measured,
                "outage_hours_survived": results.outage_hours_survived,
                "measured_share_bp": results.measured_share_bp,
                "coverage_bp": results.coverage_bp,
            }
            for server_id, results in dossier.energy.items()
        }
    if dossier.wind_down is not None:
        document["wind_down"] = {
            "page": dossier.wind_down.page,
            "shutdown_on": _day(dossier.wind_down.shutdown_on),
            "completed_on": _day(dossier.wind_down.completed_on),
            "returned": dossier.wind_down.returned,
            "moved": dossier.wind_down.moved,
            "declined": dossier.wind_down.declined,
            "left": dossier.wind_down.left,
        }
    return document


def declarations_from(parsed: d.Dossier) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The parts of an imported dossier that the dossier pages own: declarations and years."""
    declared = {
        "run_by": parsed.partner.run_by,
        "land_back_withheld_by_platform": parsed.partner.land_back_withheld_by_platform,
        "statement_of_structure": parsed.partner.legal_structure.statement_of_structure or "",
        "pay_ratio_plan": parsed.pay_ratio.plan or "",
        "pay_ratio_cap": parsed.pay_ratio.cap,
        "pay_ratio_actual": parsed.pay_ratio.actual,
        "union_workers": None
        if parsed.union_participation is None
        else parsed.union_participation.workers,
        "union_members": None
        if parsed.union_participation is None
        else parsed.union_participation.union_members,
        "union_description": ""
        if parsed.union_participation is None
        else parsed.union_participation.description or "",
        "commons_stewardship": parsed.commons_stewardship or "",
        "data_return": parsed.end_of_life.data_return or "",
        "user_migration": parsed.end_of_life.user_migration or "",
        "infrastructure_handover": parsed.end_of_life.infrastructure_handover or "",
    }
    years = [
        {
            "ends": year.ends,
            "gross_revenue_cents": year.gross_revenue_cents,
            "labour_payments_cents": year.labour_payments_cents,
            "fte": year.fte,
            "surplus_cents": year.surplus_cents,
            "investor_returns_cents": year.investor_returns_cents,
            "loan_repayments_cents": year.loan_repayments_cents,
            "land_back_cents": year.land_back_cents,
        }
        for year in parsed.financial_years
    ]
    return declared, years


def recommended_lores_ids(parsed: d.Dossier) -> set[str]:
    return {s.id for s in parsed.services if s.lores is not None and s.lores.recommended}
