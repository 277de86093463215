"""Scheduled jobs: a replica site forwards what it recorded every minute (``solhost sites
forward``) and finishes ending what came back with a restored store, the primary (or a
one-site region) finishes ending what came back with ``solhost restore``, the primary
keeps its own keys registered, and every site ends what residents ended elsewhere
(``solhost sites end-access``)."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from solhost.sites import config

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@lock_task("sites-forward")
def forward_events() -> None:
    """Forward the backlog; a failure (the link is down) waits for the next minute. Then
    end what came back with a restored store, if a restore (found now, or by a command
    that stopped) is not finished: it needs no link."""
    if not config.is_replica_site():
        return
    from solhost.sites import restores
    from solhost.sites.forwarding import forward

    try:
        attempt = forward()
        if attempt.problem:
            logger.info("forwarding stopped after %s events: %s", attempt.sent, attempt.problem)
    finally:
        if finished := restores.finish_unfinished():
            logger.info("ended what came back with %s restore(s) of the store", finished)


@db_periodic_task(crontab(minute="*"))
@lock_task("sites-restores")
def end_what_came_back_with_a_restore() -> None:
    """If ``solhost restore`` stopped before it had ended everything the archive brought
    back, end the rest (a replica site does this after forwarding, which can find a
    restore of its store)."""
    if config.is_replica_site():
        return
    from solhost.sites import restores

    if finished := restores.finish_unfinished():
        logger.info("ended what came back with %s restore(s) from an archive", finished)


@db_periodic_task(crontab(minute="*"))
@lock_task("sites-primary-keys")
def register_the_primarys_keys() -> None:
    """A rotation at the primary reaches its own row, as a site's reaches it by forwarding."""
    if not config.is_primary():
        return
    from solhost.sites.receiving import register_own_keys

    if kids := register_own_keys():
        logger.info("registered the primary's keys: %s", ", ".join(kids))


@db_periodic_task(crontab(minute="*"))
@lock_task("sites-end-access")
def end_access_ended_elsewhere() -> None:
    """Apply the disconnects, new passwords and erasures made at other sites."""
    if not config.site_name():
        return
    from solhost.sites.access_ends import apply_waiting, forget_expired

    applied = apply_waiting()
    if applied:
        logger.info("ended access as %s ends made at other sites asked", applied)
    if config.is_primary():
        forget_expired()
