"""``solhost import-cloud-ranges PROVIDER FILE``: store the IP ranges a cloud company publishes.

PROVIDER is aws (ip-ranges.json), google (cloud.json or goog.json) or azure (Service Tags
JSON). The provider's previous set is replaced in one transaction; a malformed file changes
nothing and every problem is printed with its JSON path.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from solhost.qualification.actions.cloud_ranges import import_cloud_ranges
from solhost.qualification.cloud_ranges import PROVIDER_COMPANIES, CloudRangesError


class Command(BaseCommand):
    help = "Replace one cloud company's stored IP ranges with its published file (aws, google or azure)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("provider", choices=sorted(PROVIDER_COMPANIES))
        parser.add_argument("file", help="The published JSON file.")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: cannot be read: {error.strerror}") from error
        try:
            document = json.loads(content.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{path}: is not JSON: {error}. Nothing was changed.") from error
        try:
            stored = import_cloud_ranges(
                provider=options["provider"],
                content=content,
                document=document,
                source_name=path.name,
            )
        except CloudRangesError as error:
            for where, message in error.problems:
                self.stderr.write(f"{path}: {where}: {message}")
            raise CommandError(
                f"{len(error.problems)} problem(s) in {path}; the stored ranges were not changed."
            ) from error
        self.stdout.write(f"{stored.company}: {stored.count} ranges stored from {path.name}")
