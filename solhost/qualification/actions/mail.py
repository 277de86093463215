"""Email sent by qualification's actions, only once their transaction has committed."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string


def mail_after_commit(*, subject: str, template: str, context: dict, to: list[str]) -> None:
    """Render the message now and send it after the commit, so a rollback sends nothing."""
    if not to:
        return
    body = render_to_string(template, context)
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)
    )
