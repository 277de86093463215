"""The API's error answers, shared by every router so each operation documents them alike.

Every operation may meet the input guard (``core.middleware``): 400 for a NUL or lone
surrogate in its path, query or headers, 413 for a body longer than any upload. Add
``UNAUTHORISED`` to operations behind a token, ``NOT_FOUND`` to those that look up a
path parameter, ``INVALID`` to those whose parameters have types (django-ninja's own answer).
"""

import datetime
from typing import Annotated

from ninja import Schema
from pydantic import BeforeValidator, WithJsonSchema

from solhost.core.problems import problem_dicts


class ProblemOut(Schema):
    where: str
    message: str


class ProblemsOut(Schema):
    """What is wrong with the request, each with where (parameter, header, JSON path)."""

    problems: list[ProblemOut]


class DetailOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    """One parameter of the wrong type; ``loc`` names it, e.g. ``["query", "lores"]``."""

    type: str
    loc: list[str | int]
    msg: str


class ValidationErrorsOut(Schema):
    detail: list[ValidationErrorOut]


GUARDED: dict[int, type[Schema]] = {400: ProblemsOut, 413: ProblemsOut}
UNAUTHORISED: dict[int, type[Schema]] = {401: DetailOut}
NOT_FOUND: dict[int, type[Schema]] = {404: DetailOut}
INVALID: dict[int, type[Schema]] = {422: ValidationErrorsOut}


def problems(pairs: list[tuple[str, str]]) -> dict:
    return {"problems": problem_dicts(pairs)}


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

# What ``_moment`` accepts, said in the schema so that a client (or a fuzzer) sends nothing
# else: a year from 1000 to 2999 (never near the calendar's ends) and an offset within
# ±14:00. Operations added since /deletions take this one.
MOMENT_PATTERN = (
    r"^[12]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?"
    r"(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)$"
)
DescribedMoment = Annotated[
    datetime.datetime,
    BeforeValidator(_moment),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": MOMENT_PATTERN}),
]
