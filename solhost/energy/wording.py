"""A server's renewable power (S2) and outage readiness (S3) in words. Pure: no Django.

Residents read these on service pages and directory cards, everyone on the server's
energy page, partners in their dossier and everyone on the qualification page. Each of
those pages gets its words from the two functions here, from the same figures, so they
cannot contradict each other: the energy pages pass the stored analysis, the charter's
checks pass the same analysis as the dossier carries it.

Coverage is said whenever too little of the window is measured to judge the share, so a
share measured over four weeks never reads like a year's.
"""

import datetime
from dataclasses import dataclass
from typing import Final

from solhost.core.dates import day_in_words
from solhost.core.money import format_bp

MET: Final = "met"
NOT_MET: Final = "not_met"
NEEDS_EVIDENCE: Final = "needs_evidence"
GRACE: Final = "grace"
NOT_APPLICABLE: Final = "not_applicable"

# The charter's status vocabulary as every page shows it. "Not yet shown" is kept apart
# from "not met": missing proof is not a failure, so sending some never looks worse.
STATUS_WORDS: Final = {
    MET: "Met",
    NOT_MET: "Not met",
    NEEDS_EVIDENCE: "Not yet shown",
    GRACE: "In its grace period",
    NOT_APPLICABLE: "Not applicable",
}


@dataclass(frozen=True)
class RenewableFigures:
    """What S2.2 is judged from. ``share_bp`` is the share over the days measured, given
    even when too few days are measured to judge it; None when no load was recorded."""

    status: str
    share_bp: int | None
    days_measured: int | None
    coverage_bp: int | None
    window_days: int
    least_bp: int
    min_coverage_bp: int


@dataclass(frozen=True)
class OutageFigures:
    """What S3 is judged from. ``hours_lasted``: the shortest simulated outage, in hours;
    ``analysed`` is False when no meter readings of the server were analysed at all."""

    status: str
    hours_required: int
    hours_lasted: float | None
    grace_last_day: datetime.date | None
    analysed: bool = True


@dataclass(frozen=True)
class Words:
    """``short`` for a card or a table cell, ``sentence`` for a page or a criterion's reason;
    ``thin`` when the figure rests on too little data to be judged yet."""

    status: str
    short: str
    sentence: str
    thin: bool = False

    @property
    def status_words(self) -> str:
        return STATUS_WORDS.get(self.status, self.status)


# A server whose meters have not been analysed: nothing to say about either criterion.
NOT_ANALYSED: Final = Words(
    NEEDS_EVIDENCE, "No meter readings yet", "No meter readings have been analysed yet."
)


def last_day_of_grace(started: datetime.date, grace_days: int) -> datetime.date:
    """The grace window counts ``grace_days`` days from and including the first day of operation."""
    return started + datetime.timedelta(days=grace_days - 1)


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def _hours(hours: float) -> str:
    # Whole hours lasted, so the checks (which keep whole hours) and the pages agree.
    whole = int(hours)
    return f"{whole} hour{'' if whole == 1 else 's'}"


def renewable_words(figures: RenewableFigures) -> Words:
    """The renewable share in words, with the coverage when it is too thin to judge."""
    status, share = figures.status, figures.share_bp
    window = _days(figures.window_days)
    least = format_bp(figures.least_bp)
    if figures.coverage_bp is None:
        return NOT_ANALYSED
    days = figures.days_measured or 0
    if status == NEEDS_EVIDENCE and figures.coverage_bp < figures.min_coverage_bp:
        needed = f"{format_bp(figures.min_coverage_bp)} of {window}"
        if share is None:
            return Words(
                status,
                f"Not measured enough yet ({_days(days)} of {figures.window_days})",
                f"No load is recorded in the {_days(days)} measured, and the share is judged "
                f"once {needed} are measured.",
                thin=True,
            )
        return Words(
            status,
            f"{format_bp(share)} renewable so far, over {_days(days)} measured",
            f"{format_bp(share)} renewable over the {_days(days)} measured so far; the share "
            f"is judged once {needed} are measured ({format_bp(figures.coverage_bp)} now).",
            thin=True,
        )
    if share is None:
        return Words(
            status,
            "No load recorded",
            f"No load is recorded in the last {window}, so no share can be given.",
        )
    measured = (
        f"over the {_days(days)} measured of the last {window}"
        if figures.coverage_bp < 10_000
        else f"over the last {window}"
    )
    if status == MET:
        return Words(
            status,
            f"{format_bp(share)} renewable over the last {window}",
            f"{format_bp(share)} renewable {measured}, at least the {least} the charter asks.",
        )
    return Words(
        status,
        f"{format_bp(share)} renewable over the last {window}, below {least}",
        f"{format_bp(share)} renewable {measured}, below the {least} the charter asks.",
    )


def outage_words(figures: OutageFigures) -> Words:
    """How the server's site would ride through the outage the charter asks for."""
    status, lasted = figures.status, figures.hours_lasted
    required = f"{figures.hours_required}-hour power outage"
    if status == MET:
        return Words(
            status,
            f"Rides through a {required}",
            f"Keeps its essential service running through a {required}, whenever it starts.",
        )
    if status == GRACE and figures.grace_last_day is not None:
        so_far = "" if lasted is None else f" So far it lasts {_hours(lasted)} at worst."
        return Words(
            status,
            f"Start-up grace: must ride through a {required} after {day_in_words(figures.grace_last_day)}",
            f"In its start-up grace period: it must ride through a {required} after "
            f"{day_in_words(figures.grace_last_day)}.{so_far}",
        )
    if status == NOT_MET and lasted is not None:
        return Words(
            status,
            f"Lasts {_hours(lasted)} of a {required} at worst",
            f"At worst its battery lasts {_hours(lasted)} of the {required} the charter asks "
            "it to ride through.",
        )
    if status == NOT_APPLICABLE:
        return Words(status, "Not asked of this server", "Outage readiness is not asked of it.")
    if not figures.analysed:
        return NOT_ANALYSED
    return Words(
        status,
        "Outage readiness not yet shown",
        f"Not yet shown: too little battery data is recorded to simulate a {required}.",
        thin=True,
    )
