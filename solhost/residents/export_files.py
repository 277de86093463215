"""The files of a resident's export: one JSON document, and a CSV file for each of its tables.

Pure: plain values in, bytes out. The JSON follows ``export.schema.json`` (shipped in the
zip beside it). Each CSV holds one list of the document, one row per item, with the
same field names; money is whole cents, and each ``…_cents`` column is followed by the
same amount in dollars (``…_aud``) for people reading it in a spreadsheet.
"""

import csv
import datetime
import io
import json
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any, Final

from solhost.core.money import format_decimal

JSON_NAME: Final = "export.json"
SCHEMA_NAME: Final = "export.schema.json"
README_NAME: Final = "README.txt"
# A spreadsheet runs a cell starting with one of these as a formula: a browser name or a
# note someone else typed must stay text.
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    """One CSV file: the document's list ``key``, its ``columns``, and what it holds."""

    key: str
    columns: tuple[str, ...]
    about: str

    @property
    def file_name(self) -> str:
        return f"{self.key}.csv"


TABLES: Final = (
    Table("emails", ("email", "verified", "primary"), "your email addresses"),
    Table(
        "second_factors",
        ("type", "created_at", "last_used_at"),
        "the second factors you sign in with (never their secrets)",
    ),
    Table(
        "memberships",
        ("organisation", "organisation_name", "role", "joined_on"),
        "the organisations you act for, and your role in each",
    ),
    Table(
        "contribution_choices",
        ("chosen_at", "monthly_cents"),
        "each monthly contribution you chose, newest first",
    ),
    Table(
        "sponsored_seats",
        ("organisation", "organisation_name", "monthly_cents", "since"),
        "organisations paying for your seat",
    ),
    Table(
        "payments",
        (
            "received_on",
            "reference",
            "amount_cents",
            "source",
            "reversal_kind",
            "reversed_on",
            "reversal_reason",
        ),
        "the payments the steward received from you, and any given or taken back",
    ),
    Table(
        "money_by_month",
        (
            "period",
            "went_to",
            "service",
            "service_name",
            "partner",
            "active_days",
            "held_for_partner",
            "amount_cents",
        ),
        "where each closed month's payment went: the commons, the solidarity fund, the "
        "services you used (weighed by your active days) or, with no use, the pool for everyone",
    ),
    Table(
        "active_days",
        ("day", "service", "service_name", "partner"),
        "each day you used a service, as its co-op reported it",
    ),
    Table(
        "connected_services",
        (
            "service",
            "service_name",
            "partner",
            "client_id",
            "subject",
            "scopes",
            "consent_given_at",
            "signed_in",
        ),
        "the services you signed in to with your regional account, and the id each knows you by",
    ),
    Table(
        "sessions",
        ("started_at", "last_authenticated_at", "methods", "browser", "address", "sid"),
        "the browsers that signed in to your account",
    ),
    Table(
        "wind_down_cases",
        ("service", "service_name", "partner", "state", "move_to", "changed_at", "closed_at"),
        "for each service of a closing co-op you used, what happens to your data there",
    ),
    Table(
        "how_to_leave",
        (
            "service",
            "service_name",
            "partner",
            "page",
            "export_formats",
            "export_steps",
            "account_move",
            "account_move_steps",
        ),
        "for each service you use, how to take your data out of it and whether your account "
        "can move to another host, as its co-op says",
    ),
    Table(
        "audit_events",
        ("at", "action", "description", "role", "object_type", "object", "note"),
        "the region's audit trail of what you did and what was done to your account",
    ),
)


def money_rows(months: Sequence[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    """``money_by_month`` as table rows: one per place each month's payment went."""
    pools = (
        ("commons_cents", "commons"),
        ("solidarity_cents", "solidarity_fund"),
        ("zero_usage_cents", "no_usage_pool"),
    )
    for month in months:
        for service in month["services"]:
            yield {
                "period": month["period"],
                "went_to": "service",
                **{k: service[k] for k in ("service", "service_name", "partner", "active_days")},
                "held_for_partner": service["held_for_partner"],
                "amount_cents": service["cents"],
            }
        for field, place in pools:
            if month[field]:
                yield {"period": month["period"], "went_to": place, "amount_cents": month[field]}


def _rows(document: Mapping[str, Any], table: Table) -> Iterator[Mapping[str, Any]]:
    if table.key == "money_by_month":
        return money_rows(document["money_by_month"])
    return iter(document[table.key])


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = " ".join(str(item) for item in value)
    text = str(value)
    if not isinstance(value, int) and text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def table_csv(document: Mapping[str, Any], table: Table) -> str:
    """The CSV text of one table, its header first."""
    header: list[str] = []
    for column in table.columns:
        header.append(column)
        if column.endswith("_cents"):
            header.append(column.removesuffix("_cents") + "_aud")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in _rows(document, table):
        cells: list[str] = []
        for column in table.columns:
            value = row.get(column)
            cells.append(_cell(value))
            if column.endswith("_cents"):
                cells.append(format_decimal(value) if isinstance(value, int) else "")
        writer.writerow(cells)
    return out.getvalue()


def readme(document: Mapping[str, Any]) -> str:
    """What the zip holds, in plain words."""
    lines = [
        f"Everything {document['region']['name']} holds about your account, "
        f"made {document['generated_at']}.",
        "",
        f"{JSON_NAME}: all of it in one document, described by {SCHEMA_NAME} (JSON Schema).",
        "Money is in whole Australian cents.",
        "",
        "The same lists as tables, one CSV file each (UTF-8, comma-separated):",
    ]
    lines += [f"- {table.file_name}: {table.about}" for table in TABLES]
    return "\n".join(lines) + "\n"


def write_zip(document: Mapping[str, Any], *, schema_text: str, out: IO[bytes]) -> None:
    """Write the export of ``document`` as a zip to ``out``: its JSON, the schema, a README
    and one CSV file per table, each dated when the document was made."""
    made = datetime.datetime.fromisoformat(document["generated_at"])
    # Zip files hold local times without a zone, from 1980 on.
    stamp = (max(made.year, 1980), made.month, made.day, made.hour, made.minute, made.second)
    files = {
        README_NAME: readme(document),
        JSON_NAME: json.dumps(document, indent=2, ensure_ascii=False) + "\n",
        SCHEMA_NAME: schema_text,
        **{table.file_name: table_csv(document, table) for table in TABLES},
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode())
