"""``solhost oidc-keys rotate``: a new signing key, published at once and signing a notice
period later (settings.OIDC_KEY_NOTICE_SECONDS); old keys stay published until their
tokens expire, and read services' hints for a while after (settings.OIDC_HINT_KEY_SECONDS).
``solhost oidc-keys rotate --when-due``: the same, only once the signing key has signed
settings.OIDC_KEY_ROTATE_DAYS (the daily job runs it).
``solhost oidc-keys list``: each key and what it is for now.
``solhost oidc-keys withdraw --yes``: every key replaced at once, for keys that may have
been copied."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from solhost.core.audit import AuditAction, record
from solhost.identity import jwks
from solhost.identity.signing_keys import (
    RETIRED_UNUSED,
    SIGNS_FROM,
    KeyAlreadyComing,
    key_files,
    replace_all,
    ring_at,
    rotate,
    rotation_due,
)

WITHDRAW_EFFECTS = (
    "Every ID token the region signed before stops verifying (services fetch the new key "
    "when they meet its kid), and a service signing a resident out with an old one sends "
    "them to a confirmation page instead of signing them out at once. Access and refresh "
    "tokens are not signed and keep working."
)


class Command(BaseCommand):
    help = "Manage the OpenID Connect signing keys (kept under var/, never in the repository)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rotate", "list", "withdraw"])
        parser.add_argument(
            "--yes", action="store_true", help="withdraw: yes, replace every key now"
        )
        parser.add_argument(
            "--when-due",
            action="store_true",
            help="rotate: only if the signing key has signed SOLHOST_OIDC_KEY_ROTATE_DAYS "
            "and no new key is waiting (what the daily job does)",
        )

    def handle(self, *args, action, yes, when_due, **options):
        directory = settings.OIDC_KEY_DIR
        now = datetime.datetime.now(datetime.UTC)
        if action == "rotate" and when_due:
            due_at = scheduled_rotation(now=now)
            if due_at is not None:
                self.stdout.write(f"Not due: the next scheduled rotation is {due_at}.")
                return
        if action == "withdraw":
            if not yes:
                raise CommandError(
                    "withdraw replaces every signing key at once, for keys that may have been "
                    f"copied. {WITHDRAW_EFFECTS} Run it again with --yes to go ahead."
                )
            new, withdrawn = replace_all(directory, now=now)
            record(
                actor=None,
                action=AuditAction.SIGNING_KEY_WITHDRAW,
                before={"kids": _kids(withdrawn)},
                after={"kids": _kids([new])},
                note="every key replaced at once",
            )
            for key in withdrawn:
                self.stdout.write(f"Withdrew {key.path.name}: deleted, no longer published.")
            self.stdout.write(f"New signing key {new.path.name}, signing now. {WITHDRAW_EFFECTS}")
            if settings.SOLHOST_SITE:
                self.stdout.write(
                    "Register this site's keys again at the primary now (docs/sites.md): "
                    "until then the other sites still publish the withdrawn ones."
                )
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
            record(
                actor=None,
                action=AuditAction.SIGNING_KEY_ROTATE,
                after={"kids": _kids([new]), "signs_from": new.signs_from.isoformat()},
                note=("the routine rotation" if when_due else "rotated by hand")
                + (f"; deleted {', '.join(_kids(removed))}" if removed else ""),
            )
            self.stdout.write(
                f"New signing key {new.path.name}: published now, signing from "
                f"{new.signs_from:%Y-%m-%d %H:%M} UTC. No restart is needed."
            )
            if settings.SOLHOST_SITE:
                self.stdout.write(
                    "Within a minute this site's worker has the primary register the new "
                    "key, and every site publishes it (docs/sites.md)."
                )
            for key in removed:
                self.stdout.write(
                    f"Deleted {key.path.name}: no token or hint it signed is read any more."
                )
        for line in key_lines(directory, now=now):
            self.stdout.write(line)


def _kids(keys) -> list[str]:
    return [key.public_jwk["kid"] for key in keys]


def scheduled_rotation(*, now: datetime.datetime) -> str | None:
    """None when a scheduled rotation is due now; else when it will be, in words."""
    if not settings.OIDC_KEY_ROTATE_DAYS:
        return "never (SOLHOST_OIDC_KEY_ROTATE_DAYS=0: only by hand)"
    every = datetime.timedelta(days=settings.OIDC_KEY_ROTATE_DAYS)
    ring = jwks.key_ring()
    if rotation_due(ring, now=now, every=every):
        return None
    if ring.upcoming:
        return (
            f"after the waiting key signs (from {ring.upcoming[-1].signs_from:%Y-%m-%d %H:%M} UTC)"
        )
    return f"on {ring.active.signs_from + every:%Y-%m-%d}, when the signing key has signed {settings.OIDC_KEY_ROTATE_DAYS} days"


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
    roles = {key.path: role for key, role in ring.roles()}
    return [
        f"{key.path.name}  {roles.get(key.path, RETIRED_UNUSED)}"
        + (f" {key.signs_from:%Y-%m-%d %H:%M} UTC" if roles.get(key.path) == SIGNS_FROM else "")
        for key in keys
    ]
