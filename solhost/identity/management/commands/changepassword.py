"""``solhost changepassword USERNAME``: Django's command, then what a new password set on the
region's pages or in the admin does: every session of the account ends, the services they
signed in to are told by back-channel logout, other sites end theirs, and the account
journal keeps the change for a restore (``identity.actions.end_sessions_for_new_password``).
Without this, the command left every service signed in with the old password's sessions."""

import getpass

from django.contrib.auth.management.commands import changepassword
from django.db import transaction

from solhost.core.audit import AuditAction, record
from solhost.identity import actions
from solhost.identity.models import User


class Command(changepassword.Command):
    help = (
        "Change a user's password; every session of the account ends and the services it "
        "signed in to are told."
    )

    def handle(self, *args, **options):
        changed = super().handle(*args, **options)
        username = options["username"] or getpass.getuser()
        with transaction.atomic(durable=True):
            user = User.objects.select_for_update().get(username=username)
            ended = actions.end_sessions_for_new_password(user=user, keep_session_key=None)
            sessions = f"{ended} session{'' if ended == 1 else 's'} ended"
            record(actor=None, action=AuditAction.PASSWORD_SET_BY_COMMAND, obj=user, note=sessions)
        return f"{changed}; {sessions}, their services told"
