"""Partner API tokens: ``Authorization: Bearer solhost_<prefix>_<secret>``."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer

from solhost.partners.models import ApiToken, Organisation

TOKEN_PREFIX = "solhost_"  # noqa: S105 (a label, not a secret)
# Writing "last used" on every request would put a write on every API call.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def new_token() -> tuple[str, str]:
    """A fresh token and its public prefix."""
    prefix = secrets.token_hex(4)
    return f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}", prefix


def token_hash(token: str) -> str:
    # The secret part has 256 bits of entropy, so a plain SHA-256 cannot be brute-forced.
    return hashlib.sha256(token.encode()).hexdigest()


def organisation_for_token(token: str) -> Organisation | None:
    """The organisation a live token belongs to, or None for anything else."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    prefix, _, secret = token.removeprefix(TOKEN_PREFIX).partition("_")
    if not prefix or not secret:
        return None
    found = (
        ApiToken.objects.select_related("organisation")
        .filter(prefix=prefix, revoked_at=None)
        .first()
    )
    if found is None or not hmac.compare_digest(found.key_hash, token_hash(token)):
        return None
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.organisation


class PartnerToken(HttpBearer):
    """Lets a partner's tools call the API as that partner; ``request.auth`` is the partner."""

    def authenticate(self, request, token):
        return organisation_for_token(token)


partner_token = PartnerToken()
