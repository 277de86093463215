import datetime

import pytest
from django.utils import timezone

from solhost.probes.actions import probe_services
from solhost.probes.tests.services import FAILING, stand_in_services


@pytest.fixture(scope="module")
def services():
    with stand_in_services() as server:
        yield server


@pytest.fixture
def up_and_down(world, services, settings):
    """MCC's files answer; CCT's chat answers HTTP 500. Both are on this machine, whose
    loopback address the test allows explicitly."""
    settings.SOLHOST_PROBE_PRIVATE_HOSTS = frozenset({"127.0.0.1"})
    world.mcc_service.url = services.base + "/"
    world.mcc_service.lores_url = ""
    world.mcc_service.save()
    world.cct_service.url = services.base + FAILING
    world.cct_service.save()
    return world


@pytest.fixture
def probed(up_and_down):
    """Two rounds five minutes apart: MCC's files up, CCT's chat down (HTTP 500)."""
    now = timezone.now()
    probe_services(now=now - datetime.timedelta(minutes=5), due_only=False)
    probe_services(now=now, due_only=False)
    return up_and_down
