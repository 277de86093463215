"""``solhost pledge_reminders``: send the gentle reminders the nightly job sends."""

from django.core.management.base import BaseCommand

from solhost.contributions.pledges import send_reminders


class Command(BaseCommand):
    help = "Email one gentle note per pledged payment that hasn't arrived. Safe to re-run."

    def handle(self, *args, **options):
        sent = send_reminders()
        self.stdout.write(f"{sent} reminder{'' if sent == 1 else 's'} sent")
