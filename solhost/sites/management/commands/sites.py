"""``solhost sites …``: this installation's part among the region's sites (docs/sites.md).

- ``status``: this site, its role, its signing keys (registered at the primary or not),
  and at a replica site what waits to be forwarded;
- ``keys``: this site's public signing keys, to register at the primary;
- ``add NAME --keys FILE`` (at the primary): register a site, or its new keys;
- ``remove NAME`` (at the primary): cut a site out of the region;
- ``register-keys`` (at the primary): register its own keys, changed by a rotation, now,
  as the job does every minute (a site announces its own when it forwards);
- ``forward`` (at a replica site): forward what it recorded to the primary now, and
  finish ending what came back with a restored store (one it or the primary found);
  with ``--again-since MOMENT --why "…"``, first forget which events the primary
  answered for from then on, so they go again (the primary was restored from a backup);
- ``end-access``: end here, now, what residents ended at other sites (a disconnected
  service, a new password, an erased, deactivated or renewed account), as the job does
  every minute;
- ``prepare`` (at a replica site): create or update the site store's tables;
- ``restored-store --why "…" --yes`` (at a replica site, before it lets anyone in): the
  store was restored from a backup; every session and token it issued before now ends,
  services are told, and its events from now on are forwarded under new names
  (``sites.restores``). Without ``--yes`` it only says what it would do.
"""

import json
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from solhost.core.audit import AuditAction, record
from solhost.core.dates import moment_with_zone
from solhost.sites import config, queries
from solhost.sites.keys import own_public_keys, own_site, parse_public_keys
from solhost.sites.models import Site


def _restore_facts(restore) -> str:
    """A ``StoreRestore`` in words: who found it, and how far ending what came back got."""
    state = "finished." if restore.ended_at else "not finished yet; the job each minute goes on."
    return (
        f"(found {restore.found_at:%Y-%m-%d %H:%M} UTC by {restore.found_by}; {restore.note}): "
        f"{restore.residents_signed_out} residents signed out of what was issued before "
        f"{restore.ends_before:%Y-%m-%d %H:%M:%S} UTC; {state}"
    )


class Command(BaseCommand):
    help = "Manage this installation's part among the region's sites."

    def add_arguments(self, parser):
        parser.add_argument(
            "action",
            choices=[
                "status",
                "keys",
                "add",
                "remove",
                "register-keys",
                "forward",
                "end-access",
                "prepare",
                "restored-store",
            ],
        )
        parser.add_argument("name", nargs="?", help="the site's name (add, remove)")
        parser.add_argument(
            "--keys", dest="keys_file", help="the site's public keys as JSON (add; - for stdin)"
        )
        parser.add_argument(
            "--why",
            default="",
            help="what happened (restored-store, forward --again-since; audited)",
        )
        parser.add_argument(
            "--again-since",
            default="",
            help="forward again what the primary answered for since this moment, e.g. "
            "2026-12-07T03:00Z: the primary was restored from a backup taken then (forward)",
        )
        parser.add_argument(
            "--yes", action="store_true", help="do it, not only say what it does (restored-store)"
        )

    def handle(
        self, *args, action, name=None, keys_file=None, why="", yes=False, again_since="", **_
    ):
        getattr(self, f"_{action.replace('-', '_')}")(
            name=name, keys_file=keys_file, why=why, yes=yes, again_since=again_since
        )

    def _status(self, **_):
        facts = queries.steward_page_facts()
        self.stdout.write(
            f"This installation: {facts['this_site'] or '(no SOLHOST_SITE)'}, {facts['role']}."
        )
        backlog = facts["backlog"]
        if backlog is not None:
            for item in backlog["waiting"]:
                self.stdout.write(f"Waiting to be forwarded: {item['count']} {item['kind']}s")
            for restore in backlog["restores"]:
                self.stdout.write(f"Store restored {_restore_facts(restore)}")
        if facts["access_ends"] is not None:
            self.stdout.write(
                f"Access ended at other sites, waiting to be applied here: "
                f"{facts['access_ends']['waiting']}"
            )
        own_keys = facts["own_keys"]
        for key in own_keys["keys"]:
            when = f" {key['signs_from']:%Y-%m-%d %H:%M} UTC" if key["signs_from"] else ""
            self.stdout.write(f"Signing key {key['kid']}: {key['role']}{when}")
        if own_keys["in_step"]:
            self.stdout.write("The primary has these keys registered.")
        elif own_keys["registered"] and own_keys["can_announce"]:
            self.stdout.write(
                "The primary has other keys registered for this site: the next forward "
                "(or, at the primary, its job) registers these."
            )
        elif own_keys["registered"]:
            self.stdout.write(
                "The primary has other keys registered for this site, and this site holds "
                "none of them: register these by hand (`solhost sites keys` here, then "
                f"`solhost sites add {facts['this_site']} --keys FILE` at the primary)."
            )
        elif own_keys["registered"] is False:
            self.stdout.write("This site is not registered at the primary (`solhost sites add`).")
        for row in facts["sites"]:
            site = row["site"]
            state = f"removed {site.removed_at:%Y-%m-%d}" if site.removed_at else "active"
            self.stdout.write(
                f"Site {site.name} ({state}): keys {', '.join(site.kids())}; "
                f"{row['stored']} events stored, {row['duplicates']} already there, "
                f"{row['refused']} refused"
            )

    def _keys(self, **_):
        self.stdout.write(json.dumps(own_public_keys(), indent=2))

    def _at_primary(self, action: str) -> None:
        if config.is_replica_site():
            raise CommandError(f"run `solhost sites {action}` at the primary: this is a site")

    def _add(self, *, name, keys_file, **_):
        self._at_primary("add")
        if not name or not keys_file:
            raise CommandError("give the site's name and --keys FILE (its `solhost sites keys`)")
        try:
            raw = sys.stdin.read() if keys_file == "-" else open(keys_file).read()  # noqa: SIM115
            jwks = parse_public_keys(raw)
        except (OSError, ValueError) as error:
            raise CommandError(f"{keys_file}: {error}") from error
        with transaction.atomic():
            site, made = Site.objects.select_for_update().get_or_create(
                name=name, defaults={"jwks": jwks, "keys_updated_at": timezone.now()}
            )
            if not made:
                site.jwks, site.keys_updated_at, site.removed_at = jwks, timezone.now(), None
                site.save(update_fields=["jwks", "keys_updated_at", "removed_at"])
            record(
                actor=None,
                action=AuditAction.SITE_KEYS,
                obj=site,
                after={"kids": site.kids()},
                note="registered" if made else "keys replaced",
            )
        self.stdout.write(
            f"Site {name}: {len(jwks['keys'])} key(s) published: {', '.join(site.kids())}"
        )

    def _remove(self, *, name, **_):
        self._at_primary("remove")
        with transaction.atomic():
            site = Site.objects.select_for_update().filter(name=name or "").first()
            if site is None:
                raise CommandError(f"no site is called {name!r}")
            if site.removed_at is None:
                site.removed_at = timezone.now()
                site.save(update_fields=["removed_at"])
                record(
                    actor=None,
                    action=AuditAction.SITE_REMOVE,
                    obj=site,
                    after={"kids": site.kids()},
                )
        self.stdout.write(
            f"Site {name} is cut out: its keys have left the JWKS and its batches are refused."
        )

    def _register_keys(self, **_):
        if not config.is_primary():
            raise CommandError(
                "run `solhost sites register-keys` at the primary (a site announces its "
                "keys when it forwards)"
            )
        from solhost.sites.receiving import register_own_keys

        if own_site() is None:
            raise CommandError(
                f"the primary is not registered as a site: `solhost sites add "
                f"{config.site_name()} --keys FILE` first (docs/sites.md)"
            )
        kids = register_own_keys()
        if kids is None:
            self.stdout.write("The primary's registered keys are those it publishes already.")
        else:
            self.stdout.write(f"Registered the primary's keys: {', '.join(kids)}.")

    def _forward(self, *, again_since, why, **_):
        if not config.is_replica_site():
            raise CommandError(
                "only a site reading from a standby forwards (SOLHOST_SITE_REPLICA_URL)"
            )
        from solhost.sites import restores
        from solhost.sites.forwarding import backlog, forward, forward_again_since

        if again_since:
            moment = moment_with_zone(again_since)
            if moment is None:
                raise CommandError(
                    f"--again-since {again_since!r}: give a date and time with its zone, "
                    "e.g. 2026-12-07T03:00Z (the primary's backup's, from its manifest)"
                )
            if not why.strip():
                raise CommandError('say why: --why "…" (it is audited)')
            again = forward_again_since(moment, why=why.strip())
            self.stdout.write(f"{again} events the primary answered for since then go again.")
        attempt = forward()
        self.stdout.write(
            f"Forwarded {attempt.sent} events: {attempt.stored} stored, "
            f"{attempt.duplicates} already there, {attempt.refused} refused."
        )
        restores.finish_unfinished()
        for restore in restores.found_since(attempt.started_at):
            self.stdout.write(
                f"This store was found restored from a backup {_restore_facts(restore)}"
            )
        left = backlog()
        self.stdout.write(
            f"Still waiting: {left['audit']} audit events, {left['usage']} usage events."
        )
        if attempt.problem:
            raise CommandError(f"forwarding stopped: {attempt.problem}")

    def _end_access(self, **_):
        if not config.site_name():
            raise CommandError("only a region with several sites has access ended elsewhere")
        from solhost.sites.access_ends import apply_waiting

        applied = apply_waiting()
        self.stdout.write(f"Ended access as {applied} ends made at other sites asked.")

    def _prepare(self, **_):
        if not config.is_replica_site():
            raise CommandError(
                "`solhost sites prepare` sets up a site's store; run migrate at the primary"
            )
        call_command("migrate", database=config.STORE, interactive=False, verbosity=0)
        call_command("createcachetable", database=config.STORE, verbosity=0)
        self.stdout.write("The site store is ready.")

    def _restored_store(self, *, why, yes, **_):
        if not config.is_replica_site():
            raise CommandError(
                "`solhost sites restored-store` is for a site's store; the primary's database "
                "is the region's (docs/backups.md)"
            )
        if not why.strip():
            raise CommandError('say what happened to the store: --why "…" (it is audited)')
        from solhost.sites import restores

        if not yes:
            self.stdout.write(
                "This store was restored from a backup. With --yes, every session and token "
                "this site issued before now ends (residents sign in again; services are "
                "told by back-channel logout), and the events it records from now on are "
                "forwarded under new names, so none is taken for one the lost store "
                "forwarded. Run it before the site lets anyone in."
            )
            return
        restore = restores.restored_by_operator(why=why.strip())
        finished = restores.finish(restore)
        restore.refresh_from_db(using=config.STORE)
        self.stdout.write(
            f"Signed out {restore.residents_signed_out} residents of what this site issued "
            f"before {restore.ends_before:%Y-%m-%d %H:%M:%S} UTC; new events take new names."
        )
        if not finished:
            raise CommandError(
                "some of what came back could not be ended yet; the job each minute tries "
                "again (`solhost sites status` says what is left)"
            )
