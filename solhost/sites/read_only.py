"""The writes a login would make to the region's directory, left unmade at a replica site.

Its standby refuses them, and none is needed to sign a resident in (decision 0012):

- ``User.last_login``: the session's own ``authenticated_at`` is the ID token's
  ``auth_time``, and the forwarded ``identity.login`` event records the sign-in;
- a password hash re-made with newer hasher settings: the next sign-in at the primary
  does it;
- when a second factor was last used (allauth's ``Authenticator.last_used_at``).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import update_last_login
from django.contrib.auth.signals import user_logged_in


def _check_password_only(self, raw_password) -> bool:
    return check_password(raw_password, self.password)


def _not_recorded(self) -> None:
    return None


def leave_the_directory_unwritten() -> None:
    from allauth.mfa.models import Authenticator

    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    get_user_model().check_password = _check_password_only
    Authenticator.record_usage = _not_recorded
