"""``solhost energy analyse``: judge a site's telemetry against S2.1, S2.2 and S3, offline."""

import dataclasses
import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from solhost.energy.analysis import Analysis, Parameters, analyse
from solhost.energy.canonical import TelemetryError, read_canonical
from solhost.energy.site import TWO_POOL, SiteError, read_site

# The charter's initial values (core migration 0003), used offline where no database says
# otherwise; each can be overridden on the command line.
CHARTER_PARAMETERS = {
    "renewable_min_share": 8000,
    "renewable_window_days": 365,
    "outage_hours": 72,
    "outage_grace_days": 365,
}
BAD_DAY_FACTOR = 0.3
MIN_COVERAGE = 0.9


class Command(BaseCommand):
    help = "Energy telemetry tools. `analyse` judges a site's telemetry offline."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        analyse_parser = commands.add_parser(
            "analyse",
            help="Renewable share, coverage and outage survival for one site.",
        )
        analyse_parser.add_argument("telemetry", help="canonical telemetry CSV file")
        analyse_parser.add_argument("--site", required=True, help="SITE.json file")
        analyse_parser.add_argument(
            "--at", type=datetime.date.fromisoformat, help="evaluate on this date (YYYY-MM-DD)"
        )
        analyse_parser.add_argument("--format", choices=("text", "json"), default="text")
        analyse_parser.add_argument(
            "--server", help="the server whose rows to analyse, when the file holds several"
        )
        analyse_parser.add_argument(
            "--two-pool",
            action="store_true",
            help="count grid-charged battery energy as grid energy when it is discharged, "
            "whatever SITE.json's battery_accounting says",
        )
        for key, value in CHARTER_PARAMETERS.items():
            analyse_parser.add_argument(
                f"--{key.replace('_', '-')}", type=int, default=value, dest=key
            )
        analyse_parser.add_argument("--bad-day-factor", type=float, default=BAD_DAY_FACTOR)
        analyse_parser.add_argument("--min-coverage", type=float, default=MIN_COVERAGE)
        stored_parser = commands.add_parser(
            "analyse-stored",
            help="Redo the stored analysis of every server with telemetry (or one). Safe to re-run.",
        )
        stored_parser.add_argument("--server", help="the slug of one server")
        stored_parser.add_argument(
            "--at", type=datetime.date.fromisoformat, help="analyse as of this date (YYYY-MM-DD)"
        )
        demo_parser = commands.add_parser(
            "demo-telemetry",
            help="Store a few weeks of made-up hourly telemetry for servers with a power system.",
        )
        demo_parser.add_argument("--server", help="the slug of one server")
        demo_parser.add_argument("--days", type=int, default=28)
        demo_parser.add_argument(
            "--until", type=datetime.date.fromisoformat, help="last day (default yesterday)"
        )

    def handle(self, *args, **options):
        if options["action"] == "analyse-stored":
            return self.analyse_stored(options["server"], options["at"])
        if options["action"] == "demo-telemetry":
            return self.demo_telemetry(options["server"], options["days"], options["until"])
        try:
            site = read_site(Path(options["site"]).read_text(encoding="utf-8"))
            telemetry = read_canonical(Path(options["telemetry"]).read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(str(error)) from None
        except SiteError as error:
            raise CommandError(f"{options['site']}: {error}") from None
        except TelemetryError as error:
            raise CommandError(f"{options['telemetry']}: {error}") from None
        if options["two_pool"]:
            site = dataclasses.replace(site, battery_accounting=TWO_POOL)
        server = options["server"] or site.server
        servers = telemetry.servers
        if server is not None:
            if server not in servers:
                raise CommandError(f"no rows for server {server!r}; the file has {servers}")
            telemetry = telemetry.for_server(server)
        elif len(servers) > 1:
            raise CommandError(
                f"the file holds several servers {servers}; choose one with --server"
            )
        parameters = Parameters(
            renewable_min_share_bp=options["renewable_min_share"],
            renewable_window_days=options["renewable_window_days"],
            outage_hours=options["outage_hours"],
            outage_grace_days=options["outage_grace_days"],
            bad_day_factor=options["bad_day_factor"],
            min_coverage=options["min_coverage"],
        )
        try:
            result = analyse(telemetry, site, parameters, at=options["at"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
        else:
            self.stdout.write(as_text(result))

    def _servers(self, slug: str | None):
        from solhost.partners.models import Server

        servers = Server.objects.select_related("power_system").order_by("slug")
        if slug is None:
            return servers.filter(power_system__isnull=False)
        found = servers.filter(slug=slug)
        if not found:
            raise CommandError(f"no server {slug!r}")
        return found

    def analyse_stored(self, slug: str | None, at: datetime.date | None) -> None:
        from solhost.energy.actions import analyse_server

        for server in self._servers(slug):
            analysis = analyse_server(server=server, at=at)
            if analysis is None:
                self.stdout.write(f"{server.slug}: no telemetry or no power system, skipped")
            else:
                self.stdout.write(
                    f"{server.slug}: as of {analysis.as_of}, S2.1 {analysis.s2_1_status}, "
                    f"S2.2 {analysis.s2_2_status}, S3 {analysis.s3_status}"
                )

    def demo_telemetry(self, slug: str | None, days: int, until: datetime.date | None) -> None:
        from solhost.energy.actions import store_synthetic_telemetry
        from solhost.energy.canonical import TelemetryError

        for server in self._servers(slug):
            try:
                upload = store_synthetic_telemetry(server=server, days=days, until=until)
            except TelemetryError as error:
                raise CommandError(f"{server.slug}: {error}") from None
            self.stdout.write(
                f"{server.slug}: {upload.rows_added} readings added, "
                f"{upload.rows_already_present} already stored"
            )


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share * 100:.1f} %"


def as_text(result: Analysis) -> str:
    outage = result.outage
    lines = [
        f"Window {result.window_start} to {result.window_end}",
        f"Renewable share: {_percent(result.renewable_share_365d)}"
        f" (coverage {result.coverage * 100:.1f} %)",
        "Monthly:",
        *(
            f"  {m.month}  {_percent(m.renewable_share):>8}  coverage {m.coverage * 100:.1f} %"
            for m in result.monthly
        ),
        f"Outage of {outage.hours} h from {outage.starts} starts: survival "
        f"{_percent(outage.survival_probability)}, shortest {outage.min_survival_hours} h, "
        f"with no PV {_percent(outage.strict_survival_probability)}",
    ]
    for criterion, verdict in (("S2.1", result.s2_1), ("S2.2", result.s2_2), ("S3", result.s3)):
        lines.append(f"{criterion} {verdict.status}: {verdict.reason}")
    lines += [f"Note: {note}" for note in result.notes]
    return "\n".join(lines)
