"""Atom feeds: the network's decisions, and changes in partners' qualification and status."""

import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from solhost.core.audit import AuditAction
from solhost.core.models import AuditEvent
from solhost.governance.models import Proposal
from solhost.partners.models import Service
from solhost.qualification.history import changes_in_words, subject_labels
from solhost.qualification.models import QualificationRun
from solhost.region.models import current_region
from solhost.winddown.models import WindDown

# Enough for a reader that checks daily; older entries stay on the pages themselves.
FEED_LENGTH = 50
DECIDED = (Proposal.Status.ENACTED, Proposal.Status.CLOSED, Proposal.Status.REJECTED)


def _region_name() -> str:
    region = current_region()
    return region.name if region else "solhost"


class DecisionsFeed(Feed):
    """Every decision the network closed, newest first, with its resolution and result."""

    feed_type = Atom1Feed

    def title(self):
        return f"{_region_name()}: network decisions"

    def subtitle(self):
        return "Decisions the region's partners and steward made together, as they close."

    def link(self):
        return reverse("governance:index")

    def items(self):
        return Proposal.objects.filter(status__in=DECIDED, closed_at__isnull=False).order_by(
            "-closed_at", "-pk"
        )[:FEED_LENGTH]

    def item_title(self, item: Proposal) -> str:
        return f"{item.title}: {item.get_status_display().lower()}"

    def item_description(self, item: Proposal) -> str:
        parts = [item.resolution, item.explanation]
        if item.effective_from:
            parts.append(f"In force from {item.effective_from:%Y-%m-%d}.")
        return "\n\n".join(part for part in parts if part)

    def item_link(self, item: Proposal) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Proposal) -> datetime.datetime:
        return item.closed_at

    def item_updateddate(self, item: Proposal) -> datetime.datetime:
        return item.closed_at

    def item_author_name(self, item: Proposal) -> str:
        return item.raised_by.name


class Change:
    """One entry of the changes feed: a qualification run that changed something, or a
    partner announcing that it closes."""

    def __init__(self, *, key: str, title: str, text: str, link: str, when: datetime.datetime):
        self.key, self.title, self.text, self.link, self.when = key, title, text, link, when


class ChangesFeed(Feed):
    """Qualification and status changes, newest first: a partner's verdict or criteria
    changing at an evaluation, partners announcing that they close, and services becoming
    or ceasing to be available on the LoRes mesh."""

    feed_type = Atom1Feed

    def title(self):
        return f"{_region_name()}: qualification and status changes"

    def subtitle(self):
        return "When a partner's standing against the charter changes, or a partner closes."

    def link(self):
        return reverse("web:partners")

    def items(self):
        runs = (
            QualificationRun.objects.exclude(changes=[])
            .select_related("organisation")
            .order_by("-evaluated_at", "-id")[:FEED_LENGTH]
        )
        labels: dict[int, dict[str, str]] = {}
        changes = []
        for run in runs:
            partner = run.organisation
            if partner.pk not in labels:
                labels[partner.pk] = subject_labels(partner)
            verdict = "qualified" if run.qualified else "not qualified"
            title = (
                f"{partner.name} is now {verdict}"
                if run.status_changed
                else f"{partner.name}: {len(run.changes)} criteria changed"
            )
            changes.append(
                Change(
                    key=f"run-{run.pk}",
                    title=title,
                    text="\n".join(changes_in_words(run.changes, labels[partner.pk])),
                    link=reverse("qualification:public", args=[partner.slug]),
                    when=run.evaluated_at,
                )
            )
        for wind_down in WindDown.objects.select_related("organisation").order_by("-pk")[
            :FEED_LENGTH
        ]:
            partner = wind_down.organisation
            changes.append(
                Change(
                    key=f"wind-down-{wind_down.pk}",
                    title=f"{partner.name} is closing on {wind_down.shutdown_on:%Y-%m-%d}",
                    text=(
                        f"{partner.name} announced on {wind_down.announced_on:%Y-%m-%d} that it "
                        f"closes on {wind_down.shutdown_on:%Y-%m-%d}; its residents are helped "
                        "to take their data and move."
                    ),
                    link=partner.get_absolute_url(),
                    when=wind_down.started_at,
                )
            )
        changes += _lores_changes()
        changes.sort(key=lambda change: (change.when, change.key), reverse=True)
        return changes[:FEED_LENGTH]

    def item_title(self, item: Change) -> str:
        return item.title

    def item_description(self, item: Change) -> str:
        return item.text

    def item_link(self, item: Change) -> str:
        # Several entries lead to the same page: the key keeps each entry's id its own.
        return f"{item.link}#{item.key}"

    def item_pubdate(self, item: Change) -> datetime.datetime:
        return item.when

    def item_updateddate(self, item: Change) -> datetime.datetime:
        return item.when


def _lores_changes() -> list[Change]:
    """Services becoming or ceasing to be available on the LoRes mesh, as the LoRes sync
    audited them on each service."""
    events = list(
        AuditEvent.objects.filter(action=AuditAction.LORES_AVAILABILITY).order_by("-pk")[
            :FEED_LENGTH
        ]
    )
    services = Service.objects.in_bulk([int(e.object_id) for e in events if e.object_id])
    changes = []
    for event in events:
        service = services.get(int(event.object_id)) if event.object_id else None
        if service is None:
            continue  # the service was deleted since: nothing public to lead to
        # The note's first clause says what happened ("… is available on LoRes").
        title, _, details = event.note.partition(": ")
        changes.append(
            Change(
                key=f"lores-{event.pk}",
                title=title,
                text=details[:1].upper() + details[1:] if details else event.note,
                link=service.get_absolute_url(),
                when=event.at,
            )
        )
    return changes
