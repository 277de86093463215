"""``solhost oidc-keys rotate``: a new signing key, published at once and signing a notice
period later (settings.OIDC_KEY_NOTICE_SECONDS); old keys stay published until their
tokens expire, and read services' hints for a while after (settings.OIDC_HINT_KEY_SECONDS).
``solhost oidc-keys list``: each key and what it is for now."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from solhost.identity.signing_keys import KeyAlreadyComing, key_files, ring_at, rotate


class Command(BaseCommand):
    help = "Manage the OpenID Connect signing keys (kept under var/, never in the repository)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rotate", "list"])

    def handle(self, *args, action, **options):
        directory = settings.OIDC_KEY_DIR
        now = datetime.datetime.now(datetime.UTC)
        if action == "rotate":
            try:
                new, removed = rotate(
                    directory,
                    now=now,
                    notice=datetime.timedelta(seconds=settings.OIDC_KEY_NOTICE_SECONDS),
                    hints_keep=datetime.timedelta(seconds=settings.OIDC_HINT_KEY_SECONDS),
                )
            except KeyAlreadyComing as coming:
                raise CommandError(f"Not rotated: {coming}.") from coming
            self.stdout.write(
                f"New signing key {new.path.name}: published now, signing from "
                f"{new.signs_from:%Y-%m-%d %H:%M} UTC. No restart is needed."
            )
            if settings.SOLHOST_SITE:
                self.stdout.write(
                    "Register this site's keys again at the primary before then "
                    "(docs/sites.md), so every site publishes the new one."
                )
            for key in removed:
                self.stdout.write(
                    f"Deleted {key.path.name}: no token or hint it signed is read any more."
                )
        for line in key_lines(directory, now=now):
            self.stdout.write(line)


def key_lines(directory, *, now: datetime.datetime) -> list[str]:
    """One line per key in the directory: its name and what it is for at ``now``."""
    keys = key_files(directory)
    if not keys:
        return ["No signing key yet: the site makes one when it starts."]
    ring = ring_at(
        keys,
        now=now,
        keep=datetime.timedelta(seconds=settings.OIDC_ID_TOKEN_SECONDS),
        hints_keep=datetime.timedelta(seconds=settings.OIDC_HINT_KEY_SECONDS),
    )
    roles = {ring.active.path: "signing"}
    roles |= {
        key.path: f"published, signs from {key.signs_from:%Y-%m-%d %H:%M} UTC"
        for key in ring.upcoming
    }
    roles |= {
        key.path: "retired, published while its ID tokens may be valid" for key in ring.retired
    }
    roles |= {key.path: "retired, reads services' logout hints" for key in ring.hint_checking}
    return [
        f"{key.path.name}  {roles.get(key.path, 'retired, read no more (the next rotation deletes it)')}"
        for key in keys
    ]
