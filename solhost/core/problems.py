"""The one error shape for bad input. Pure: no Django.

Every reader of a document (a boundary, a dossier, a scenario, a site description, a
ranges file) reports all of its problems at once, each with where it is, so a person can
fix the file in one go.
"""


class InputProblems(ValueError):
    """A document with problems; ``problems`` lists ``(where, message)`` pairs in order.

    ``where`` is a JSON path (``$.servers[2].latitude``), a field path
    (``coordinates[0][3]``) or a line reference, as the document's reader chooses.
    """

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{where}: {message}" for where, message in problems))


def problem_dicts(problems: list[tuple[str, str]]) -> list[dict[str, str]]:
    """``(where, message)`` pairs as the API answers them: ``[{"where": …, "message": …}]``."""
    return [{"where": where, "message": message} for where, message in problems]
