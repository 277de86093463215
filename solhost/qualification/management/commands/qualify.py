"""``solhost qualify [--partner SLUG] [--at YYYY-MM-DD]``: evaluate partners and keep the runs."""

import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from solhost.partners.models import Organisation
from solhost.qualification.actions.evaluation import evaluate_all


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--at: must be a date written YYYY-MM-DD, got {text!r}") from None


class Command(BaseCommand):
    help = "Evaluate partners against the charter and store each run (the nightly job does the same). Safe to re-run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--partner", action="append", default=[], metavar="SLUG")
        parser.add_argument("--at", help="The day to judge, YYYY-MM-DD (default: today).")

    def handle(self, *args, **options) -> None:
        at = _day(options["at"]) if options["at"] else timezone.localdate()
        slugs = options["partner"]
        known = set(
            Organisation.objects.filter(slug__in=slugs, kind="partner").values_list(
                "slug", flat=True
            )
        )
        unknown = [s for s in slugs if s not in known]
        if unknown:
            raise CommandError(f"--partner: no partner called {', '.join(unknown)}")
        try:
            runs = evaluate_all(at=at, trigger="solhost qualify", slugs=slugs)
        except LookupError as error:
            raise CommandError(str(error)) from error
        for run in runs:
            verdict = "qualified" if run.qualified else "not qualified"
            changed = f", {len(run.changes)} outcome(s) changed" if run.changes else ""
            self.stdout.write(f"{run.organisation.slug}: {verdict} on {run.at}{changed}")
