from django.core.management.base import BaseCommand
from django.utils import timezone

from solhost.residents import actions


class Command(BaseCommand):
    help = (
        "Email their export to each resident whose account deletion is due, erase the "
        "account, then remove export files whose link has expired. Safe to re-run."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        for outcome in actions.carry_out_due_deletions(now=now):
            write = self.stderr.write if outcome.failed else self.stdout.write
            write(f"deletion {outcome.deletion.pk}: {outcome.what}")
        removed = actions.remove_expired_exports(now=now)
        if removed:
            self.stdout.write(f"removed {removed} expired export files")
