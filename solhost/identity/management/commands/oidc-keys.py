"""``solhost oidc-keys rotate``: a new signing key; old ones stay published until their
tokens expire, and read services' hints for a while after (settings.OIDC_HINT_KEY_SECONDS)."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand

from solhost.identity.signing_keys import key_files, rotate


class Command(BaseCommand):
    help = "Manage the OpenID Connect signing keys (kept under var/, never in the repository)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rotate", "list"])

    def handle(self, *args, action, **options):
        directory = settings.OIDC_KEY_DIR
        if action == "rotate":
            new, removed = rotate(
                directory,
                now=datetime.datetime.now(datetime.UTC),
                keep=datetime.timedelta(seconds=settings.OIDC_HINT_KEY_SECONDS),
            )
            self.stdout.write(f"New signing key {new.path.name}.")
            for key in removed:
                self.stdout.write(
                    f"Deleted {key.path.name}: no token or hint it signed is read any more."
                )
            self.stdout.write("Restart the site so it signs with the new key.")
        for key in key_files(directory):
            self.stdout.write(f"{key.path.name}  created {key.created:%Y-%m-%d %H:%M} UTC")
