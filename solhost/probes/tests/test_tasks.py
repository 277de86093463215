"""The scheduled round: every minute, the addresses whose interval is over."""

from huey.api import PeriodicTask
from huey.contrib.djhuey import HUEY

from solhost.probes import tasks
from solhost.probes.models import ProbeTarget
from solhost.probes.tests.services import closed_port_url


def test_the_worker_runs_a_due_round_every_minute(world, settings):
    settings.SOLHOST_PROBE_PRIVATE_HOSTS = frozenset({"127.0.0.1"})
    for service in (world.mcc_service, world.cct_service):
        service.url, service.lores_url = closed_port_url(), ""
        service.save()
    scheduled = tasks.probe_due_services
    assert HUEY._registry.string_to_task("solhost.probes.tasks.probe_services") is (
        scheduled.task_class
    )
    assert issubclass(scheduled.task_class, PeriodicTask)
    scheduled.task_class().execute()  # what huey's consumer does on schedule
    chat = ProbeTarget.objects.get(service=world.cct_service)
    assert chat.last_up is False
    assert chat.last_problem.startswith("the service could not be reached")
