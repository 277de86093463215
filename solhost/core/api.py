"""The API's error answers, shared by every router so each operation documents them alike.

Every operation may meet the input guard (``core.middleware``): 400 for a NUL or lone
surrogate in its path, query or headers, 413 for a body longer than any upload. Add
``UNAUTHORISED`` to operations behind a token, ``NOT_FOUND`` to those that look up a
path parameter, ``INVALID`` to those whose parameters have types (django-ninja's own answer).
"""

from ninja import Schema

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
