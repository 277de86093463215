"""Which ``SignedInSession`` a browser is, and what its sign-in proved (``claims``).

At sign-in the session's ``sid`` is also kept in the browser's own session data, which
Django carries across a new session key (a password change makes one): the row is found
by its key, or else by that ``sid`` and moved to the new key.
"""

from allauth.account.authentication import get_authentication_records
from django.http import HttpRequest

from solhost.core.reads import unique_match
from solhost.identity import actions
from solhost.identity.claims import amr_of, session_snapshot
from solhost.identity.models import SignedInSession

SID_SESSION_KEY = "identity_signed_in_sid"


def remember_sid(request: HttpRequest, signed_in: SignedInSession) -> None:
    request.session[SID_SESSION_KEY] = str(signed_in.sid)


def current_signed_in_session(request: HttpRequest) -> SignedInSession | None:
    """The signed-in browser's session row, or None (not signed in, or no row recorded)."""
    if not request.user.is_authenticated or not request.session.session_key:
        return None
    key = request.session.session_key
    signed_in = unique_match(SignedInSession.objects.filter(session_key=key, user=request.user))
    if signed_in is not None:
        return signed_in
    sid = request.session.get(SID_SESSION_KEY)
    signed_in = SignedInSession.objects.filter(sid=sid, user=request.user).first() if sid else None
    if signed_in is not None:
        actions.follow_session_key(signed_in=signed_in, session_key=key)
    return signed_in


def amr_of_session(request: HttpRequest, user) -> list[str]:
    """The RFC 8176 methods this browser's session has used for ``user`` (allauth's record)."""
    return amr_of(get_authentication_records(request, user))


def snapshot_of(signed_in: SignedInSession | None) -> dict:
    """What the authorization leaves for the token endpoint (``claims.SESSION_CLAIMS``)."""
    if signed_in is None or signed_in.authenticated_at is None:
        return {}
    return session_snapshot(
        sid=str(signed_in.sid),
        auth_time=int(signed_in.authenticated_at.timestamp()),
        amr=signed_in.amr,
    )
