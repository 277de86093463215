from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from solhost.core.money import format_dollars
from solhost.core.problems import InputProblems
from solhost.distribution.models import PayoutBatch
from solhost.distribution.payouts import batch_file


class Command(BaseCommand):
    help = "Payouts by direct-entry file. `aba` writes a payout batch's ABA file for the bank."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        aba = commands.add_parser("aba", help="Write a payout batch's ABA (Cemtex) file.")
        aba.add_argument("--batch", type=int, required=True, help="the batch's number")
        aba.add_argument("--out", required=True, help="the file to write, e.g. payouts.aba")

    def handle(self, *args, batch: int, out: str, **options) -> None:
        found = PayoutBatch.objects.filter(pk=batch).first()
        if found is None:
            raise CommandError(f"there is no payout batch {batch}")
        try:
            text = batch_file(found)
        except InputProblems as error:
            raise CommandError(f"batch {batch}'s file cannot be made: {error}") from error
        # Bytes, so the records keep their CR LF endings on every system.
        Path(out).write_bytes(text.encode("ascii"))
        self.stdout.write(
            f"Wrote {out}: {found.lines.count()} payments, {format_dollars(found.total_cents)} AUD, "
            f"batch {found.pk} ({found.get_status_display().lower()})"
        )
