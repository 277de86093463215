"""``solhost lores sync --url URL``: read a LoRes node's regions, nodes and apps. Safe to re-run."""

from django.core.management.base import BaseCommand, CommandError

from solhost.core.problems import InputProblems
from solhost.lores.actions import sync_from_node


class Command(BaseCommand):
    help = "The region's LoRes mesh. `sync` reads a node's regions, nodes and apps."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        sync = commands.add_parser(
            "sync", help="Read a LoRes node and store the region's nodes and apps."
        )
        sync.add_argument("--url", required=True, help="the node's address, e.g. http://node:8200")
        sync.add_argument(
            "--region",
            default="",
            help="the LoRes region id, needed only when the node is in several regions",
        )

    def handle(self, *args, **options):
        try:
            result = sync_from_node(url=options["url"], lores_region_id=options["region"])
        except InputProblems as problems:
            raise CommandError(
                "Nothing was changed:\n" + "\n".join(f"  {w}: {m}" for w, m in problems.problems)
            ) from None
        region = result.lores_region
        self.stdout.write(
            f"{region.name or region.lores_id}: {result.nodes} nodes, "
            f"{result.proposed} waiting for the steward."
        )
        for change in result.changes:
            self.stdout.write(f"  {change}")
        if not result.changes:
            self.stdout.write("  Nothing changed.")
