"""``solhost restore PATH``: an archive back into an empty installation, checked before and after."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from solhost.backups.actions import RestoreFailed, RestoreRefused, restore
from solhost.backups.archive import ArchiveProblem
from solhost.backups.installation import uses_secret_key_file


class Command(BaseCommand):
    help = (
        "Restore a backup archive into this installation, which must be empty (a new, "
        "never-migrated database and an empty var/); check it against the manifest, migrate "
        "it if this solhost is newer, make again the account changes the account journal holds "
        "from after it, and end the sessions and tokens it brought back."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The archive `solhost backup` wrote.")
        parser.add_argument(
            "--journal",
            help=(
                "The account journal whose changes made after the archive are made again "
                "(default: account-journal.jsonl beside the archive, else in SOLHOST_BACKUP_DIR)."
            ),
        )

    def handle(self, *args, path, journal, **options):
        try:
            restored = restore(path=Path(path), journal=Path(journal) if journal else None)
        except (ArchiveProblem, RestoreRefused) as error:
            raise CommandError(f"Nothing restored: {error}") from None
        except RestoreFailed as error:
            raise CommandError(f"Restore failed: {error}") from None
        manifest = restored.manifest
        self.stdout.write(f"Restored {path}, made {manifest['created']}.")
        self.stdout.write(
            f"  database ({manifest['database']['vendor']}): {restored.tables} tables, "
            f"{restored.rows} rows, as the manifest says"
        )
        self.stdout.write(f"  ledger: {restored.accounts} account balances, as the manifest says")
        self.stdout.write(f"  files: {restored.files} (secret key, signing keys, uploads)")
        self.stdout.write(f"  secret key: {manifest['secret_key']['note']}")
        if manifest["secret_key"]["in_archive"] and not uses_secret_key_file():
            self.stdout.write(
                "  SOLHOST_SECRET_KEY is set here: the site signs with it, not with the restored "
                "var/secret_key, so sessions and reset links from before are void"
            )
        if restored.migrated:
            self.stdout.write(
                f"  migrated: this solhost is newer than the archive "
                f"({', '.join(restored.migrated)})"
            )
        self.stdout.write(f"  {restored.journal}")
        for line in restored.ended:
            self.stdout.write(f"  {line}")
        self.stdout.write("Start (or restart) the site and its job consumer now.")
