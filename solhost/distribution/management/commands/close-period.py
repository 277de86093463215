from django.core.management.base import BaseCommand, CommandError, CommandParser

from solhost.core.money import format_dollars
from solhost.distribution.actions import CannotClose, close_period


class Command(BaseCommand):
    help = (
        "Close a month: freeze its usage, split its settled payments between the pools and "
        "the partners residents used, and post it all to the ledger. Running it again "
        "changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period", help="the month to close, as YYYY-MM")

    def handle(self, *args, period: str, **options) -> None:
        try:
            close, made = close_period(period=period, actor=None)
        except CannotClose as error:
            raise CommandError(str(error)) from error
        verb = "Closed" if made else "Already closed:"
        self.stdout.write(
            f"{verb} {close.period}: {format_dollars(close.total_in_cents)} AUD in, "
            f"algorithm {close.algorithm}, input hash {close.input_hash}"
        )
