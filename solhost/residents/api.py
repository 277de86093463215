"""``GET /api/v1/deletions``: partners learn which residents they knew deleted their account."""

import datetime
from typing import Annotated

from ninja import Query, Router, Schema

from solhost.core.api import GUARDED, INVALID, UNAUTHORISED, Moment
from solhost.core.safe_json import LARGEST_KEY
from solhost.partners.auth import partner_token
from solhost.residents.queries import notices_for

router = Router(tags=["residents"])

MAX_NOTICES = 1000


class DeletionOut(Schema):
    id: int
    sub: str
    deleted_at: datetime.datetime

    @staticmethod
    def resolve_sub(obj):
        return obj.subject


@router.get(
    "/deletions",
    response={200: list[DeletionOut], **GUARDED, **UNAUTHORISED, **INVALID},
    auth=partner_token,
    summary="Residents your services knew who deleted their account",
)
def deletions(
    request,
    since: Moment | None = None,
    after: Annotated[int, Query(ge=0, le=LARGEST_KEY)] = 0,
):
    """Each resident your services signed in, or reported use for, whose account was
    deleted at ``since`` or later (every one without it), in the order they were deleted,
    at most 1,000 at a time.

    ``sub`` is the id your services know the resident by: your co-op's pairwise sub, and
    also their public sub if one of your services receives public subs (so a resident may
    be listed twice). Delete or anonymise what your services hold about them. To read
    on, ask again with ``after`` set to the last ``id`` you received; keeping that ``id``
    between polls also lists only what is new.
    """
    return list(notices_for(request.auth, since=since, after=after)[:MAX_NOTICES])
