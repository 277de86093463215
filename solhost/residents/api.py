"""``GET /api/v1/deletions``: partners learn which residents they knew deleted their account."""

import datetime
from typing import Annotated

from ninja import Query, Router, Schema
from pydantic import BeforeValidator, WithJsonSchema

from solhost.core.api import GUARDED, INVALID, UNAUTHORISED
from solhost.partners.auth import partner_token
from solhost.residents.queries import notices_for

router = Router(tags=["residents"])

MAX_NOTICES = 1000
LARGEST_ID = 2**63 - 1
# Every time zone in use lies within this of UTC; PostgreSQL refuses an offset past ±16 h.
LARGEST_OFFSET = datetime.timedelta(hours=14)


def _moment(value: object) -> datetime.datetime:
    """An ISO 8601 date and time with its offset; pydantic alone would also take a number
    as seconds since 1970, or a time with no offset, which means nothing across zones."""
    if not isinstance(value, str):
        raise ValueError("must be a date and time, e.g. 2026-12-01T00:00:00+11:00")
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a date and time, e.g. 2026-12-01T00:00:00+11:00"
        ) from None
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("needs its offset from UTC, e.g. 2026-12-01T00:00:00+11:00 or …Z")
    if abs(offset) > LARGEST_OFFSET:
        raise ValueError("its offset from UTC must be within ±14:00, as every time zone's is")
    try:
        return moment.astimezone(datetime.UTC)
    except OverflowError:
        raise ValueError(f"{value!r} is out of the range of dates") from None


Moment = Annotated[
    datetime.datetime,
    BeforeValidator(_moment),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


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
    after: Annotated[int, Query(ge=0, le=LARGEST_ID)] = 0,
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
