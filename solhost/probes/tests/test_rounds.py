import datetime

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from solhost.core.models import AuditEvent
from solhost.probes.actions import claim_due, probe_services
from solhost.probes.models import Incident, ProbeHour, ProbeTarget

MINUTE = datetime.timedelta(minutes=1)


def target(service) -> ProbeTarget:
    return ProbeTarget.objects.get(service=service, kind=ProbeTarget.Kind.PUBLIC)


def test_a_round_stores_each_address_latest_check_and_its_hour(up_and_down):
    now = timezone.now()
    result = probe_services(now=now, due_only=False)
    assert (result.checked, result.up, result.down, result.not_probed) == (2, 1, 1, 0)
    up, down = target(up_and_down.mcc_service), target(up_and_down.cct_service)
    assert (up.last_up, up.last_status_code, up.last_checked_at) == (True, 200, now)
    assert (down.last_up, down.last_problem) == (False, "answered HTTP 500")
    assert down.failing_since == now and down.failed_checks_in_row == 1
    hour = ProbeHour.objects.get(target=up)
    assert (hour.checks, hour.up_checks) == (1, 1)
    assert hour.latency_ms_total == up.last_latency_ms
    assert hour.hour == now.replace(minute=0, second=0, microsecond=0)
    probe_services(now=now + MINUTE, due_only=False)
    assert ProbeHour.objects.filter(target=down).count() in (1, 2)  # the hour may turn
    assert sum(h.checks for h in ProbeHour.objects.filter(target=down)) == 2


def test_the_scheduled_round_checks_only_addresses_whose_interval_is_over(up_and_down):
    start = timezone.now()
    assert probe_services(now=start, due_only=True).checked == 2
    assert probe_services(now=start + MINUTE, due_only=True).checked == 0
    # The interval is 5 minutes; a run a little early still counts as on time.
    assert (
        probe_services(
            now=start + 5 * MINUTE - datetime.timedelta(seconds=10), due_only=True
        ).checked
        == 2
    )


def test_rounds_that_overlap_check_each_address_once(up_and_down):
    start = timezone.now()
    probe_services(now=start, due_only=False)
    # Two rounds read the targets before either stored anything.
    first_read, second_read = list(ProbeTarget.objects.all()), list(ProbeTarget.objects.all())
    later = start + 10 * MINUTE
    assert len(claim_due(first_read, now=later, interval=5 * MINUTE)) == 2
    assert claim_due(second_read, now=later + MINUTE, interval=5 * MINUTE) == []


def test_failures_in_a_row_open_one_incident_and_the_partner_is_emailed_once(
    up_and_down, django_capture_on_commit_callbacks
):
    start = timezone.now()
    probe_services(now=start, due_only=False)
    cct = target(up_and_down.cct_service)
    assert not Incident.objects.exists()  # one failure may be a hiccup
    with django_capture_on_commit_callbacks(execute=True):
        result = probe_services(now=start + 5 * MINUTE, due_only=False)
    incident = Incident.objects.get()
    assert result.opened == [incident]
    assert (incident.target, incident.started_at, incident.ended_at) == (cct, start, None)
    assert incident.problem == "answered HTTP 500"
    assert mail.outbox == []  # not down for 30 minutes yet

    for minutes in (30, 35, 40):
        with django_capture_on_commit_callbacks(execute=True):
            probe_services(now=start + minutes * MINUTE, due_only=False)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["carol@example.org"]
    assert message.subject.startswith("CCT Chat has not answered since")
    assert up_and_down.cct_service.url in message.body
    incident.refresh_from_db()
    assert incident.partner_notified_at == start + 30 * MINUTE
    assert Incident.objects.count() == 1
    actions = list(
        AuditEvent.objects.filter(action__startswith="probes.").values_list("action", flat=True)
    )
    assert sorted(actions) == ["probes.incident.notify", "probes.incident.open"]


def test_the_first_check_that_finds_the_service_up_ends_its_incident(up_and_down, services):
    start = timezone.now()
    for minutes in (0, 5):
        probe_services(now=start + minutes * MINUTE, due_only=False)
    up_and_down.cct_service.url = services.base + "/"
    up_and_down.cct_service.save()
    # A new address starts afresh, but the open incident still ends with its first answer.
    result = probe_services(now=start + 10 * MINUTE, due_only=False)
    incident = Incident.objects.get()
    assert result.closed == [incident]
    assert incident.ended_at == start + 10 * MINUTE
    assert target(up_and_down.cct_service).failing_since is None
    assert AuditEvent.objects.filter(action="probes.incident.close").count() == 1


def test_a_local_network_address_is_probed_inside_the_network_without_being_allowed(
    up_and_down, services, settings
):
    settings.SOLHOST_PROBE_PRIVATE_HOSTS = frozenset()
    up_and_down.mcc_service.lores_url = services.base + "/"
    up_and_down.mcc_service.save()
    result = probe_services(due_only=False)
    local = ProbeTarget.objects.get(
        service=up_and_down.mcc_service, kind=ProbeTarget.Kind.LOCAL_NETWORK
    )
    assert local.last_up is True
    public = target(up_and_down.mcc_service)
    # The same host declared as a public address is not requested: it is not public.
    assert public.last_up is None
    assert "not a public address" in public.last_problem
    assert not ProbeHour.objects.filter(target=public).exists()
    assert result.not_probed == 2  # MCC's and CCT's public addresses


def test_targets_follow_the_addresses_services_declare(up_and_down):
    probe_services(due_only=False)
    assert set(ProbeTarget.objects.values_list("service__slug", "kind")) == {
        ("mcc-files", "public"),
        ("cct-chat", "public"),
    }
    # A mesh address that is no web address (a name only) is not probed.
    up_and_down.mcc_service.lores_url = "files.mesh"
    up_and_down.mcc_service.save()
    probe_services(due_only=False)
    assert ProbeTarget.objects.count() == 2
    up_and_down.cct_service.delete()
    probe_services(due_only=False)
    assert list(ProbeTarget.objects.values_list("service__slug", flat=True)) == ["mcc-files"]


def test_hours_older_than_the_longest_window_are_removed(up_and_down):
    now = timezone.now()
    old = ProbeTarget.objects.create(
        service=up_and_down.mcc_service, kind="public", url=up_and_down.mcc_service.url
    )
    ProbeHour.objects.create(
        target=old, hour=now - datetime.timedelta(days=91), checks=12, up_checks=12
    )
    kept = ProbeHour.objects.create(target=old, hour=now - datetime.timedelta(days=89), checks=12)
    probe_services(now=now, due_only=False)
    assert list(ProbeHour.objects.filter(hour__lt=now - datetime.timedelta(hours=2))) == [kept]


def test_the_command_runs_one_round_and_says_what_it_found(up_and_down, capsys):
    call_command("probes", "run")
    out = capsys.readouterr().out
    assert "2 checked: 1 up, 1 down; 0 not probed." in out
