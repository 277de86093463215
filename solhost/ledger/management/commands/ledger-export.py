from django.core.management.base import BaseCommand, CommandParser

from solhost.ledger.books import to_beancount, to_csv
from solhost.region.models import Region


class Command(BaseCommand):
    help = (
        "Write the whole ledger to standard output, as Beancount (check it with bean-check) or CSV."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["beancount", "csv"], default="beancount")

    def handle(self, *args, format: str, **options) -> None:
        if format == "csv":
            self.stdout.write(to_csv(), ending="")
            return
        region = Region.objects.first()
        self.stdout.write(
            to_beancount(title=f"{region.name if region else 'solhost'} steward"), ending=""
        )
