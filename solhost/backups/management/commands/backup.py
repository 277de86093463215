"""``solhost backup [PATH]``: one archive of the database and the files under var/ that can't be rebuilt."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from solhost.backups import actions
from solhost.backups.archive import ArchiveProblem


class Command(BaseCommand):
    help = (
        "Write one backup archive (.tar or .tar.gz): the database, var/secret_key, the "
        "OpenID Connect signing keys and the uploaded files, with a manifest to check them by."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            help="A new file ending .tar or .tar.gz. Without it: a dated archive in "
            "SOLHOST_BACKUP_DIR, keeping the newest SOLHOST_BACKUP_KEEP there (as the nightly job).",
        )

    def handle(self, *args, path, **options):
        now = timezone.now()
        deleted = []
        try:
            if path is None:
                target, deleted = actions.backup_to_directory(
                    directory=Path(settings.SOLHOST_BACKUP_DIR),
                    keep=settings.SOLHOST_BACKUP_KEEP,
                    now=now,
                )
            else:
                target = Path(path)
                actions.make_backup(path=target, now=now)
        except (ArchiveProblem, actions.BackupFailed, OSError) as error:
            raise CommandError(f"No backup written: {error}") from None
        self.stdout.write(f"Backup written: {target} ({target.stat().st_size} bytes).")
        for name in deleted:
            self.stdout.write(f"Deleted the older archive {name}.")
