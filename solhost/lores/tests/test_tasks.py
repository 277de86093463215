"""The scheduled sync: one huey task per configured node, never raising into huey's loop."""

from huey.api import PeriodicTask
from huey.contrib.djhuey import HUEY

from solhost.lores import tasks
from solhost.lores.models import SyncSource


def test_each_configured_node_gets_its_own_periodic_task(db):
    scheduled = tasks._schedule(7, "http://127.0.0.1:9/")
    assert HUEY._registry.string_to_task("solhost.lores.tasks.lores_sync_7") is scheduled.task_class
    assert issubclass(scheduled.task_class, PeriodicTask)
    scheduled.task_class().execute()  # what huey's consumer does on schedule
    assert "could not be reached" in SyncSource.objects.get(url="http://127.0.0.1:9/").last_error


def test_an_unexpected_error_is_logged_not_raised(db, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(tasks, "sync_from_node", broken)
    tasks.sync_quietly("http://node.example:8200")
    assert "failed unexpectedly" in caplog.text
