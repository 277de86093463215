"""Scheduled jobs: one sync per node in ``SOLHOST_LORES_NODE_URLS``; each is ``solhost lores sync``."""

import logging

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from solhost.core.problems import InputProblems
from solhost.lores.actions import sync_from_node

logger = logging.getLogger(__name__)


def sync_quietly(url: str) -> None:
    """One node's sync; a failure is already on the steward's page, so it is only logged.

    Anything unexpected is caught too: an exception would only be retried by huey's loop,
    and the node is read again at the next run anyway.
    """
    try:
        sync_from_node(url=url)
    except InputProblems as problems:
        logger.warning("LoRes sync from %s failed: %s", url, problems)
    except Exception:
        logger.exception("LoRes sync from %s failed unexpectedly", url)


def _schedule(index: int, url: str):
    # A task per node, so a slow node never delays another's sync.
    return db_periodic_task(crontab(minute="*/15"), name=f"lores_sync_{index}")(
        lambda: sync_quietly(url)
    )


for _index, _url in enumerate(settings.SOLHOST_LORES_NODE_URLS):
    _schedule(_index, _url)
