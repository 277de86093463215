"""Run inside an installation after its backup: the changes a restore must not undo, made
as the region's own pages and jobs make them, so that the account journal keeps them.

``python -m solhost.backups.tests.after_the_archive PASSWORD CLIENT_ID``: maria chooses
PASSWORD, disconnects the service of CLIENT_ID and removes her security key, ahmed's
account is erased and kate's deactivated. Prints JSON: maria's password hash and ahmed's anonymous id.
"""

import json
import os
import sys

import django


def main(password: str, client_id: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solhost.settings")
    django.setup()
    from allauth.mfa.models import Authenticator
    from django.utils import timezone

    from solhost.identity import actions
    from solhost.identity.models import ServiceClient, User
    from solhost.residents.actions import erase_account
    from solhost.residents.models import AccountDeletion

    maria = User.objects.get(username="maria")
    maria.set_password(password)
    maria.save()
    # What allauth's signal does once the password form is saved.
    actions.end_sessions_for_new_password(user=maria, keep_session_key=None)
    actions.disconnect_service(user=maria, client=ServiceClient.objects.get(client_id=client_id))
    # As the security keys page does: the row goes (and the journal keeps its id).
    Authenticator.objects.get(user=maria, type=Authenticator.Type.WEBAUTHN).delete()
    now = timezone.now()
    deletion = AccountDeletion.objects.create(
        user=User.objects.get(username="ahmed"),
        requested_at=now,
        erase_after=now,
        final_email_sent_at=now,
    )
    erased = erase_account(deletion=deletion, now=now)
    assert erased is not None
    kate = User.objects.get(username="kate")
    kate.is_active = False
    kate.save()
    # What the steward's saving the account in the admin does.
    actions.end_access_of_deactivated_account(user=kate)
    maria.refresh_from_db()
    sys.stdout.write(
        json.dumps({"password": maria.password, "label": erased.deletion.anonymous_id})
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
