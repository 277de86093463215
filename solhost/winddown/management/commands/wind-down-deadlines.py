"""``solhost wind-down-deadlines``: open cases for residents who came after an
announcement, and close open cases whose data-return deadline has passed. Safe to re-run."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from solhost.winddown.actions import mark_no_response, open_late_cases


class Command(BaseCommand):
    help = (
        "Open a case for each resident who began using a closing partner's service after its "
        "announcement, and mark every wind-down case still open after its data-return "
        "deadline as having had no response; a case already opened or marked is left alone."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, help="The day to judge for (YYYY-MM-DD)."
        )

    def handle(self, *args, today: datetime.date | None = None, **options) -> None:
        opened = open_late_cases()
        self.stdout.write(f"{opened} case(s) opened for residents who came after the announcement")
        marked = mark_no_response(today=today or timezone.localdate())
        self.stdout.write(f"{marked} case(s) had no response by their deadline")
