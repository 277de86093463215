"""``solhost evidence-expiry``: email partners whose approved evidence expires soon. Safe to re-run."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from solhost.qualification.actions.evidence import send_expiry_notices


class Command(BaseCommand):
    help = (
        "Email partner admins about approved evidence that expires within "
        "SOLHOST_EVIDENCE_EXPIRY_NOTICE_DAYS days; each piece is announced once."
    )

    def handle(self, *args, **options) -> None:
        sent = send_expiry_notices(today=timezone.localdate())
        self.stdout.write(
            f"{sent} notice(s) sent (window: {settings.SOLHOST_EVIDENCE_EXPIRY_NOTICE_DAYS} days)"
        )
