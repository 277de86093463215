"""``solhost wind-down-deadlines``: close open cases whose data-return deadline has passed. Safe to re-run."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from solhost.winddown.actions import mark_no_response


class Command(BaseCommand):
    help = (
        "Mark every wind-down case still open after its data-return deadline as having had "
        "no response; a case already marked is left alone."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, help="The day to judge for (YYYY-MM-DD)."
        )

    def handle(self, *args, today: datetime.date | None = None, **options) -> None:
        marked = mark_no_response(today=today or timezone.localdate())
        self.stdout.write(f"{marked} case(s) had no response by their deadline")
