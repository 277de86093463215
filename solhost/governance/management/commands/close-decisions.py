from django.core.management.base import BaseCommand
from django.utils import timezone

from solhost.governance.actions import close_due_decisions, send_due_notices


class Command(BaseCommand):
    help = (
        "Send the 48-hour reminders, close every decision past its deadline, count it, and "
        "enact or reject it. Safe to re-run."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        for proposal, problem in close_due_decisions(now=now):
            if problem:
                self.stderr.write(f"decision {proposal.pk} passed but is not enacted: {problem}")
            else:
                self.stdout.write(
                    f"decision {proposal.pk} {proposal.status}: {proposal.explanation}"
                )
        for proposal, kind in send_due_notices(now=now):
            self.stdout.write(
                f"emailed: {kind.replace('_', ' ')} notice for decision {proposal.pk}"
            )
