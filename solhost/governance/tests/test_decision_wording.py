"""Decisions and drafts speak the parameters page's words: titles, dollars, percentages,
metres and named entries, never stored cents, basis points or codes; times carry a zone."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from solhost.governance.tests.helpers import close, draft_proposal, vote
from solhost.governance.tests.test_views import open_now
from solhost.web.tests.pages import assert_clean_page, visible_text

pytestmark = pytest.mark.django_db

CHANGES = (
    ("contribution_max_cents", 150000),
    ("contribution_tiers_cents", ["0", "500", "1500"]),
    ("land_back_min_bp", 1500),
    ("local_max_distance_m", 2000),
    ("s1_exception_roles", ["dns"]),
    ("zero_usage_rule", "solidarity"),
)
# (title, value today, new value) as a reader sees them.
IN_WORDS = (
    (
        "Largest monthly contribution a resident can choose (catches typos)",
        "$1,000.00 a month",
        "$1,500.00 a month",
    ),
    (
        "Suggested monthly contributions on the sliding scale",
        "$0.00, $5.00, $12.00, $25.00 a month",
        "$0.00, $5.00, $15.00 a month",
    ),
    ("Least land-back contribution of a settler-run partner", "10 % of gross revenue", "15 %"),
    ("Farthest a server may stand outside the region boundary", "1,000 metres", "2,000 metres"),
    (
        "Server roles that may sit outside the region",
        "off-site backup, DNS, cloud connector",
        "DNS",
    ),
    (
        "Where the providers' share of a resident who used no service goes",
        "the commons pool",
        "the solidarity fund",
    ),
)
STORED = ("150000", "100000", "1500", "2000", "AUD cents", "basis points", "offsite_backup", "'0'")


def changes_table(text: str) -> str:
    return text.split("Changes to parameters")[1].split("Add a change")[0].split("Tally so far")[0]


def test_a_decision_shows_each_change_by_title_in_human_units(client, world):
    proposal = open_now(world, changes=CHANGES)
    page = client.get(proposal.get_absolute_url())
    assert_clean_page(page)
    table = changes_table(visible_text(page.content.decode()))
    for title, today, new in IN_WORDS:
        assert f"{title} " in table and f" {today} " in f" {table} "
        assert new in table.split(title)[1]
    for raw in STORED:
        assert raw not in table
    assert "1,000 metres 2,000 metres" in table


def test_a_draft_shows_its_changes_by_title_in_human_units(client, world):
    proposal = draft_proposal(
        world,
        changes=CHANGES,
        effective_from=timezone.localdate() + datetime.timedelta(days=30),
    )
    client.force_login(world.alice)
    page = client.get(reverse("governance:draft", args=[proposal.pk]))
    assert_clean_page(page)
    table = changes_table(visible_text(page.content.decode()))
    for title, _, new in IN_WORDS:
        assert f"{title} " in table and new in table.split(title)[1]
    for raw in STORED:
        assert raw not in table
    assert "the change to Least land-back contribution of a settler-run partner" in table
    # Parameters to choose from are listed by title too.
    assert "Least land-back contribution of a settler-run partner (land_back_min_bp)" in (
        page.content.decode()
    )


def test_a_median_reads_the_values_proposed_and_adopted_in_the_unit(client, world):
    proposal = open_now(world, decision_type="median", changes=(("land_back_min_bp", 1500),))
    vote(world, proposal, world.cct, "propose", value=1200)
    vote(world, proposal, world.steward, "propose", value=2000)
    client.force_login(world.alice)
    page = client.get(proposal.get_absolute_url())
    text = visible_text(page.content.decode())
    assert (
        "2 values proposed, 0 abstain: the median, 12 % of gross revenue (the lower of the "
        "middle values 12 % of gross revenue and 20 % of gross revenue), is adopted if it "
        "closed now." in text
    )
    assert "Propose a value: 12 % of gross revenue" in text
    assert "Propose a value: 20 % of gross revenue" in text
    # The value is typed as stored: the form says how to read it.
    assert (
        "Least land-back contribution of a settler-run partner, as a whole number in basis "
        "points of gross revenue: 1500 is 15 % of gross revenue." in text
    )
    close(proposal)
    text = visible_text(client.get(proposal.get_absolute_url()).content.decode())
    assert "Adopted: 12 % of gross revenue" in text
    assert "the median, 12 % of gross revenue" in text
    for raw in ("1200", "2000"):
        assert raw not in text


def test_decision_times_carry_their_zone(client, world):
    proposal = open_now(world)
    zone = f"{timezone.localtime(proposal.closes_at):%Z}"
    assert zone.startswith("AE")
    text = visible_text(client.get(proposal.get_absolute_url()).content.decode())
    opened = timezone.localtime(proposal.opened_at)
    assert f"Opened {opened.day} {opened:%B %Y, %H:%M %Z}" in text
    closes = timezone.localtime(proposal.closes_at)
    assert f"Closes {closes.day} {closes:%B %Y, %H:%M %Z}" in text
    index = visible_text(client.get(reverse("governance:index")).content.decode())
    assert f"closes {closes.day} {closes:%B %Y, %H:%M %Z}" in index
