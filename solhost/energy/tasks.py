"""Background jobs for energy; each is also `solhost energy analyse-stored`."""

import logging

from huey.contrib.djhuey import db_task

from solhost.core.models import Parameter
from solhost.energy import actions
from solhost.partners.models import Server

logger = logging.getLogger(__name__)


@db_task()
def analyse_server(server_id: int) -> None:
    """Redo a server's stored analysis after new readings arrived."""
    server = Server.objects.filter(pk=server_id).select_related("power_system").first()
    if server is None:
        return
    try:
        actions.analyse_server(server=server)
    except Parameter.NoValueInForce as error:
        # The readings are stored; the analysis waits until the network sets its parameters.
        logger.warning("energy analysis of %s skipped: %s", server.slug, error)
