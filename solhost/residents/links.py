"""Signed links to a built export: each names one export of one resident, and expires.

The token is signed with the site's key, so nobody can make one for another export; it
also names the resident, so a link forwarded to someone else opens for nobody else.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse

from solhost.residents.models import AccountExport

SALT = "solhost.residents.export-link"


def export_url(export: AccountExport) -> str:
    """The export's download address, in full, for an email or a page."""
    token = signing.dumps({"export": export.pk, "user": export.user_id}, salt=SALT)
    return settings.BASE_URL + reverse("residents:export_file", args=[token])


def export_named(token: str) -> tuple[int, int] | None:
    """``(export id, resident id)`` of a link made here and not yet too old, else None."""
    max_age = datetime.timedelta(days=settings.SOLHOST_EXPORT_LINK_DAYS)
    try:
        named = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(named, dict):
        return None
    export, user = named.get("export"), named.get("user")
    if not isinstance(export, int) or not isinstance(user, int):
        return None
    return export, user
