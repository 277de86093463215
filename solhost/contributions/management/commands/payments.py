"""``solhost payments import FILE``: import a bank statement, as the steward's page does."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from solhost.contributions import statement_actions
from solhost.contributions.statements import FORMATS
from solhost.contributions.statements.bank_csv import PRESETS
from solhost.core.problems import InputProblems


class Command(BaseCommand):
    help = "Payments. `import` reads a bank statement (CAMT.053, OFX or CSV). Safe to re-run."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        importing = commands.add_parser(
            "import",
            help="Import a bank statement: payments for known references, the rest queued.",
        )
        importing.add_argument("file", type=Path, help="the statement file")
        importing.add_argument(
            "--format", choices=FORMATS, default="", help="default: told from the content"
        )
        importing.add_argument(
            "--mapping",
            default="",
            help="a CSV's layout: " + ", ".join(PRESETS) + ", or one saved in the admin",
        )

    def handle(self, *args, action: str, file: Path, format: str, mapping: str, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        try:
            result = statement_actions.import_statement(
                data=data, format=format, mapping=mapping, actor=None
            )
        except InputProblems as error:
            lines = "\n".join(f"  {where}: {message}" for where, message in error.problems)
            raise CommandError(f"{file}: nothing was imported.\n{lines}") from None
        self.stdout.write(f"{file}: {result.format}, {result.summary()}")
