"""What changed between a partner's previous qualification run and a new one. Pure: no Django."""

from collections.abc import Iterable, Mapping

from solhost.qualification.rules import Outcome


def outcome_changes(
    previous: Mapping[tuple[str, str], str], outcomes: Iterable[Outcome]
) -> list[dict[str, str | None]]:
    """The outcomes whose status differs from ``previous`` ((criterion, subject) to status).

    Each change is ``{"criterion", "subject", "from", "to"}``, in the order of ``outcomes``;
    ``from`` is None for a criterion and subject the previous run did not judge.
    """
    return [
        {
            "criterion": o.criterion,
            "subject": o.subject,
            "from": previous.get((o.criterion, o.subject)),
            "to": o.status,
        }
        for o in outcomes
        if previous.get((o.criterion, o.subject)) != o.status
    ]
