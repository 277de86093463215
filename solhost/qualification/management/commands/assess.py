"""``solhost assess DOSSIER.json``: a self-assessment against the charter, offline, with no database.

Exit status: 0 when the dossier qualifies, 1 when it does not, 2 when an input is malformed
(every problem is printed to standard error with its JSON path).
"""

import datetime
import json
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from solhost.partners.kinds import STARTER_SERVICE_KINDS
from solhost.qualification.cloud_ranges import (
    CloudRange,
    CloudRangeIndex,
    CloudRangesError,
    detect_provider,
    parse_cloud_ranges,
)
from solhost.qualification.dossier import DossierError, parse_dossier
from solhost.qualification.parameters import ParametersError, charter_parameters
from solhost.qualification.region_context import RegionContext
from solhost.qualification.rules import STATUSES, Snapshot, evaluate, report
from solhost.region.geometry import BoundaryError, parse_boundary

DEMO_BOUNDARY = files("solhost.region") / "merri-bek.geojson"
STARTER_LORES_KINDS = ",".join(
    slug for slug, _name, _description, lores in STARTER_SERVICE_KINDS if lores
)
MALFORMED = 2
NOT_QUALIFIED = 1


class MalformedInput(Exception):
    """An input file that cannot be used; ``problems`` are ``(path, message)`` pairs."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems
        super().__init__(source)


def _load_json(path: str) -> object:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise MalformedInput(path, [("(file)", f"cannot be read: {error.strerror}")]) from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise MalformedInput(path, [("(file)", f"is not JSON: {error}")]) from error


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise MalformedInput(
            "--at", [("(option)", f"must be a date written YYYY-MM-DD, got {text!r}")]
        ) from None


class Command(BaseCommand):
    help = "Assess a partner dossier (JSON) against the charter, without a server or database."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dossier", help="The dossier as JSON (see docs/dossier.schema.json).")
        parser.add_argument(
            "--region",
            help="The region boundary as GeoJSON (default: the demo region, Merri-bek).",
        )
        parser.add_argument(
            "--crs",
            default="EPSG:7855",
            help="Metric projection for distances in the region (default: EPSG:7855, GDA2020 / MGA zone 55).",
        )
        parser.add_argument(
            "--lores-kinds",
            default=STARTER_LORES_KINDS,
            help=f"Comma-separated service kinds the region's LoRes mesh covers (default: {STARTER_LORES_KINDS}).",
        )
        parser.add_argument(
            "--params",
            help="A JSON object of parameter values replacing the charter's initial ones.",
        )
        parser.add_argument(
            "--cloud-ranges",
            action="append",
            default=[],
            metavar="FILE",
            help="A published IP ranges file (AWS ip-ranges.json, Google cloud.json/goog.json, Azure Service Tags); repeatable.",
        )
        parser.add_argument("--at", help="The day to assess, YYYY-MM-DD (default: today).")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: object, **options: Any) -> None:
        try:
            document = self._assess(options)
        except MalformedInput as error:
            for path, message in error.problems:
                self.stderr.write(f"{error.source}: {path}: {message}")
            sys.exit(MALFORMED)
        if options["format"] == "json":
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
        else:
            self._write_table(document)
        if not document["qualified"]:
            sys.exit(NOT_QUALIFIED)

    def _assess(self, options: dict[str, Any]) -> dict[str, Any]:
        at = _date(str(options["at"])) if options["at"] else timezone.localdate()
        params_path = options["params"]
        try:
            params = charter_parameters(_load_json(str(params_path)) if params_path else None)
        except ParametersError as error:
            raise MalformedInput(str(params_path), error.problems) from error
        dossier_path = str(options["dossier"])
        try:
            dossier = parse_dossier(_load_json(dossier_path))
        except DossierError as error:
            raise MalformedInput(dossier_path, error.problems) from error
        snapshot = Snapshot(
            dossier=dossier,
            region=self._region(options),
            cloud_ranges=CloudRangeIndex(self._cloud_ranges(options["cloud_ranges"])),
        )
        return report(evaluate(snapshot, params, at), params)

    def _region(self, options: dict[str, Any]) -> RegionContext:
        source = str(options["region"] or DEMO_BOUNDARY)
        document = _load_json(source)
        try:
            boundary = parse_boundary(document)
        except BoundaryError as error:
            raise MalformedInput(source, error.problems) from error
        properties = document.get("properties") if isinstance(document, dict) else None
        name = properties.get("name") if isinstance(properties, dict) else None
        kinds = frozenset(k.strip() for k in str(options["lores_kinds"]).split(",") if k.strip())
        return RegionContext(str(name or Path(source).stem), boundary, str(options["crs"]), kinds)

    def _cloud_ranges(self, paths: list[str]) -> list[CloudRange]:
        ranges: list[CloudRange] = []
        for path in paths:
            document = _load_json(path)
            try:
                ranges += parse_cloud_ranges(detect_provider(document), document)
            except CloudRangesError as error:
                raise MalformedInput(path, error.problems) from error
        return ranges

    def _write_table(self, document: dict[str, Any]) -> None:
        outcomes: list[dict[str, str]] = document["outcomes"]
        widths = [
            max(len(header), *(len(o[key]) for o in outcomes))
            for header, key in (
                ("CRITERION", "criterion"),
                ("SUBJECT", "subject"),
                ("STATUS", "status"),
            )
        ]

        def row(*cells: str) -> str:
            return "  ".join(
                cell.ljust(width) for cell, width in zip(cells, [*widths, 0], strict=True)
            )

        self.stdout.write(f"Criteria version {document['criteria_version']}")
        self.stdout.write(row("CRITERION", "SUBJECT", "STATUS", "REASON").rstrip())
        for o in outcomes:
            self.stdout.write(row(o["criterion"], o["subject"], o["status"], o["reason"]))
        counts = {status: sum(o["status"] == status for o in outcomes) for status in STATUSES}
        summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
        verdict = "QUALIFIED" if document["qualified"] else "NOT QUALIFIED"
        self.stdout.write(f"\n{verdict} ({summary})")
