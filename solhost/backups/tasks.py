from pathlib import Path

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from solhost.backups.actions import backup_to_directory


@db_periodic_task(crontab(hour="3", minute="45"))
def back_up() -> str:
    """Each night after the period close, one dated archive; only the newest few stay."""
    path, _ = backup_to_directory(
        directory=Path(settings.SOLHOST_BACKUP_DIR),
        keep=settings.SOLHOST_BACKUP_KEEP,
        now=timezone.now(),
    )
    return path.name
