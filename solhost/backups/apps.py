from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """Backups: one archive of the database and var/ that restores onto an empty installation."""

    name = "solhost.backups"
    label = "backups"
    verbose_name = "Backups"
