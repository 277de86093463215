"""``solhost renew-credentials --why TEXT --all --yes``: every account's password,
authenticator app and recovery codes stop working, each is signed out everywhere, and
each resident is mailed a link to choose a new password; for credentials that may have
been copied (a stolen site, a leaked backup). ``--account NAME`` (repeatable) renews only
those accounts. ``--resume`` finishes a renewal that stopped; ``--status`` shows the last.
Run it at the primary, after giving every installation a new ``SOLHOST_SECRET_KEY``."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from solhost.identity import renewals
from solhost.identity.databases import at_replica_site
from solhost.identity.models import CredentialRenewal

EFFECTS = (
    "Every account named gets a password nobody knows, loses its authenticator app and "
    "recovery codes (security keys stay), is signed out of the region and of every "
    "service, which is told by back-channel logout, and has every token revoked. Each "
    "resident with a verified address is mailed the reason and a link to choose a new "
    "password. Give every installation a new SOLHOST_SECRET_KEY first: the links are made "
    "with it, and whoever holds the old one could make links of their own."
)


class Command(BaseCommand):
    help = (
        "Renew accounts' credentials that may have been copied: new passwords by mail, "
        "authenticator apps set up again, signed out everywhere."
    )

    def add_arguments(self, parser):
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument(
            "--all", action="store_true", dest="every", help="every account there is now"
        )
        what.add_argument(
            "--account",
            action="append",
            dest="usernames",
            metavar="NAME",
            help="the account with this username (repeat for more)",
        )
        what.add_argument("--resume", action="store_true", help="finish the unfinished renewal")
        what.add_argument("--status", action="store_true", help="show the last renewal")
        parser.add_argument("--why", default="", help="the reason, which each resident is told")
        parser.add_argument("--yes", action="store_true", help="--all: yes, renew every account")

    def handle(self, *args, every, usernames, resume, status, why, yes, **options):
        if status:
            self._status()
            return
        if at_replica_site():
            raise CommandError(
                "run `solhost renew-credentials` at the primary: this site's accounts are "
                "the primary's, by replication"
            )
        if resume:
            renewal = renewals.unfinished_renewal()
            if renewal is None:
                raise CommandError("no renewal is unfinished")
        else:
            if every and not yes:
                raise CommandError(f"{EFFECTS} Run it again with --yes to go ahead.")
            try:
                renewal = renewals.start_renewal(why=why, usernames=None if every else usernames)
            except ValidationError as refused:
                raise CommandError(" ".join(refused.messages)) from refused
            self.stdout.write(
                f"The passwords, authenticator apps and recovery codes of {renewal.total} "
                "accounts no longer work. Signing them out everywhere and mailing them (if "
                "this stops, the worker finishes it within a minute):"
            )
        while renewal.finished is None:
            renewal = renewals.renew_next_batch(renewal_id=renewal.pk)
            self.stdout.write(f"Signed out {renewal.signed_out} of {renewal.total} accounts.")
        self._report(renewal)

    def _status(self):
        renewal = CredentialRenewal.objects.order_by("-started").first()
        if renewal is None:
            self.stdout.write("No credentials have been renewed.")
            return
        self._report(renewal)
        if renewal.finished is None:
            left = renewals.accounts_left(renewal).count()
            self.stdout.write(
                f"Unfinished: {left} accounts left to sign out and mail. Finish it with "
                "`solhost renew-credentials --resume`."
            )

    def _report(self, renewal: CredentialRenewal) -> None:
        self.stdout.write(
            f"Renewal {renewal.pk}, started {renewal.started:%Y-%m-%d %H:%M} UTC: {renewal.why}"
        )
        if renewal.finished is not None:
            self.stdout.write(f"Finished {renewal.finished:%Y-%m-%d %H:%M} UTC.")
        self.stdout.write(
            f"{renewal.total} accounts renewed, {renewal.signed_out} of them signed out everywhere "
            "and their residents' mail queued."
        )
        if renewal.not_mailed:
            self.stdout.write(
                f"{renewal.not_mailed} active accounts have no verified address to mail the "
                "link to. Reach them another way: they can ask for a link on the sign-in "
                "page, or the steward sets them a password in the admin. The audit trail "
                "names them (identity.credentials.renew_unmailed)."
            )
