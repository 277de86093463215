"""``solhost account-journal``: list the account journal's changes, and make them again.

``solhost restore`` makes again the changes made after its archive by itself. This is for
the rest: a journal found only after the restore, or a restore that stopped before it had
made them all (making a change again where the account shows it already does nothing).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from solhost.core.dates import moment_with_zone
from solhost.identity import account_journal
from solhost.identity.account_journal import Change, JournalProblem
from solhost.identity.databases import at_replica_site
from solhost.identity.models import User
from solhost.residents.making_again import WORDS, make_again


class Command(BaseCommand):
    help = (
        "List the changes to residents' accounts the account journal holds (new passwords, "
        "erasures, renewals, deactivations, disconnected services, second factors removed), "
        "from --since on; with --make-again, make each one the account doesn't show (after "
        "restoring an archive made at --since)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            help="the journal (default: account-journal.jsonl in SOLHOST_BACKUP_DIR)",
        )
        parser.add_argument(
            "--since",
            default="",
            help="only changes made after this moment, e.g. 2026-12-07T03:45Z: the restored "
            "archive's (its manifest's created)",
        )
        parser.add_argument(
            "--make-again", action="store_true", help="make the changes listed (needs --since)"
        )

    def handle(self, *args, path=None, since="", **options):
        making = options["make_again"]
        journal_file = Path(path) if path else account_journal.journal_path()
        moment = None
        if since:
            moment = moment_with_zone(since)
            if moment is None:
                raise CommandError(
                    f"--since {since!r}: give a date and time with its zone, e.g. "
                    "2026-12-07T03:45Z (the restored archive's, from its manifest)"
                )
        if making and moment is None:
            raise CommandError(
                "--make-again needs --since: the moment the restored archive was made, so that "
                "no older change undoes a newer one the archive holds"
            )
        if making and at_replica_site():
            raise CommandError(
                "this is a replica site (SOLHOST_SITE_REPLICA_URL): accounts are the primary's, "
                "so make the changes again there"
            )
        if not journal_file.is_file():
            raise CommandError(f"{journal_file}: no account journal there")
        try:
            journal = account_journal.read(journal_file)
        except (JournalProblem, OSError) as error:
            raise CommandError(f"Nothing done: {error}") from None
        entries = [e for e in journal.entries if moment is None or e.at > moment]
        self.stdout.write(
            f"{journal_file}: every change since {journal.since:%Y-%m-%d %H:%M:%S} UTC; "
            f"{len(entries)} listed"
        )
        if moment is not None and journal.since > moment:
            self.stdout.write(
                f"  it holds none made before {journal.since:%Y-%m-%d %H:%M:%S} UTC, after --since"
            )
        names = dict(
            User.objects.filter(pk__in={e.resident for e in entries}).values_list("pk", "username")
        )
        for entry in entries:
            self.stdout.write(
                f"  {entry.at:%Y-%m-%d %H:%M:%S} UTC  {WORDS[entry.change][0]}  resident "
                f"{entry.resident} ({names.get(entry.resident, 'not here')})" + _which(entry)
            )
        if making:
            self.stdout.write(f"{make_again(entries=entries).words().capitalize()}.")


def _which(entry) -> str:
    if entry.change is Change.DISCONNECTED:
        return f", client {entry.detail}"
    if entry.change is Change.SECOND_FACTOR_REMOVED:
        return f", second factor {entry.detail}"
    return ""
