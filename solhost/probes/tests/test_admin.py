from django.urls import reverse

from solhost.core.models import AuditEvent
from solhost.probes.models import Incident


def test_the_steward_reads_an_incident_with_its_trail_and_may_delete_it_audited(client, probed):
    client.force_login(probed.sam)
    incident = Incident.objects.get()
    page = client.get(reverse("admin:probes_incident_change", args=[incident.pk]))
    assert page.status_code == 200
    assert "probes.incident.open" in page.content.decode()
    url = reverse("admin:probes_incident_delete", args=[incident.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Incident.objects.exists()
    assert AuditEvent.objects.filter(action="admin.incident.delete", actor=probed.sam).exists()
