"""``solhost probes run``: check every service's declared addresses once. Safe to re-run."""

from django.core.management.base import BaseCommand

from solhost.probes.actions import probe_services


class Command(BaseCommand):
    help = "Service probes. `run` checks every service's declared addresses once."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        run = commands.add_parser("run", help="Check every service's addresses and store results.")
        run.add_argument(
            "--due",
            action="store_true",
            help="only the addresses whose probe interval is over, as the scheduled job does",
        )

    def handle(self, *args, **options):
        result = probe_services(due_only=options["due"])
        self.stdout.write(
            f"{result.checked} checked: {result.up} up, {result.down} down; "
            f"{result.not_probed} not probed."
        )
        for incident in result.opened:
            self.stdout.write(f"  New incident: {incident.target} ({incident.problem})")
        for incident in result.closed:
            self.stdout.write(f"  Answering again: {incident.target}")
        for incident in result.notified:
            self.stdout.write(f"  Partner emailed: {incident.target}")
