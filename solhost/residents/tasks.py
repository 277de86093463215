"""Background jobs for residents: building a large export, telling a resident their
deletion is scheduled, and, every hour, carrying out due deletions and removing expired
export files (also ``solhost delete-due-accounts``)."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from solhost.residents import actions
from solhost.residents.models import AccountDeletion, AccountExport


@db_task()
def build_export(export_id: int) -> None:
    export = AccountExport.objects.select_related("user").filter(pk=export_id).first()
    if export is not None:
        actions.build_export(export=export, now=timezone.now())


@db_task()
def email_deletion_scheduled(deletion_id: int) -> None:
    deletion = AccountDeletion.objects.select_related("user").filter(pk=deletion_id).first()
    if deletion is not None:
        actions.email_deletion_scheduled(deletion=deletion)


@db_periodic_task(crontab(minute="20"))
def delete_due_accounts() -> list[str]:
    """Erase the accounts whose grace period is over, then remove expired export files."""
    now = timezone.now()
    done = [f"deletion {o.deletion.pk}: {o.what}" for o in actions.carry_out_due_deletions(now=now)]
    actions.remove_expired_exports(now=now)
    return done
