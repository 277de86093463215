"""The energy page, the partner's dossier and the qualification page word S2.2 and S3 alike."""

import datetime
import html

from django.utils import timezone

from solhost.energy.models import EnergyAnalysis
from solhost.energy.public_facts import analysis_words
from solhost.energy.tests.helpers import with_telemetry
from solhost.qualification.models import QualificationRun
from solhost.test import PASSWORD


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_three_pages_one_wording_of_a_thin_share_and_an_unshown_outage(client, world):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with_telemetry(world.mcc_server, days=28, until=yesterday)
    analysis = EnergyAnalysis.objects.get(server=world.mcc_server)
    renewable, outage = analysis_words(analysis, started=world.mcc_server.operation_started)
    # The analysis re-judged the partner, so the dossier does not lag behind the energy page.
    run = QualificationRun.objects.filter(organisation=world.mcc).latest("evaluated_at")
    assert run.trigger == f"energy analysis of MCC one as of {yesterday}"
    assert renewable.thin
    assert "renewable over the 28 days measured so far" in renewable.sentence
    assert outage.sentence.startswith("Not yet shown")

    energy_page = page(client, "/servers/mcc-1/energy/")
    public_page = page(client, "/partners/mcc/qualification/")
    assert client.login(username="alice", password=PASSWORD)
    dossier = page(client, "/manage/mcc/dossier/")

    for shown in (energy_page, public_page, dossier):
        assert renewable.sentence in shown
        assert outage.sentence in shown
        assert "no renewable share is measured" not in shown
