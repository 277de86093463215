"""The account adapter: allauth's sign-in with solhost's limits (``login_limits``)."""

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError

from solhost.identity import login_limits


def _typed(credentials: dict) -> str:
    return str(credentials.get("email") or credentials.get("username") or "")


class AccountAdapter(DefaultAccountAdapter):
    """Slows down guessing per (account, address) instead of locking accounts.

    Every password check allauth makes comes through ``authenticate``: the login form
    (also when an OpenID Connect service sends a resident to sign in) and the
    reauthentication asked before sensitive changes.
    """

    def pre_authenticate(self, request, **credentials) -> None:
        # Replaces allauth's check rather than adding to it: its login_failed lock (kept for
        # second-factor codes) would refuse the owner everywhere after anybody's five guesses.
        wait = login_limits.start_attempt(request, self._account)
        if wait is not None:
            raise ValidationError(wait.message(), code="too_many_login_attempts")
        self._checking = True

    def authentication_failed(self, request, **credentials) -> None:
        login_limits.record_failure(request, self._account)

    def authenticate(self, request, **credentials):
        # allauth calls the two hooks above from here, on this adapter: the account is
        # looked up once for all three.
        self._account = login_limits.account_tried(_typed(credentials))
        self._checking = False
        try:
            user = super().authenticate(request, **credentials)
        finally:
            if self._checking:
                login_limits.finish_attempt(request, self._account)
        if user is not None:
            login_limits.record_success(request, self._account)
        return user

    def clean_username(self, username: str, shallow: bool = False) -> str:
        # "Rita" signs up as "rita": services take the name as it is, and most of them
        # only lowercase (identity.usernames).
        return super().clean_username(username.strip().lower(), shallow=shallow)

    def is_safe_url(self, url: str | None) -> bool:
        # allauth parses the address before Django's own check, which would refuse it, and
        # a bracketed host that isn't one ("http://[x/") raises there: any sign-in or
        # sign-up link carrying such a next was a server error.
        try:
            return super().is_safe_url(url)
        except ValueError:
            return False

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        # allauth calls this for each of a resident's addresses once their password was reset.
        super()._delete_login_attempts_cached_email(request, **credentials)
        login_limits.forget_account(login_limits.account_tried(_typed(credentials)))
