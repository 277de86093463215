"""The money pages name their months (October 2026, not 2026-10) and say what active days are.

Links keep the machine form of the month; what a reader sees does not. October's money is
the one of test_close: Rita pays $25 and uses both partners, Bob pays $12 and uses MCC only.
"""

import pytest
from django.urls import reverse

from solhost.distribution.actions import close_period
from solhost.distribution.tests.test_close import AFTER_GRACE, PERIOD, october  # noqa: F401
from solhost.governance.wording import code_in_words
from solhost.web.tests.pages import assert_clean_page, visible_text

MONTH = "October 2026"
ACTIVE_DAYS = code_in_words("active_days")


@pytest.fixture
def closed(october):  # noqa: F811
    close_period(period=PERIOD, actor=None, today=AFTER_GRACE)
    return october


def seen(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200
    assert_clean_page(page)
    return visible_text(page.content.decode())


def test_the_public_months_are_named_and_active_days_explained(client, closed):
    index = seen(client, reverse("distribution:transparency_index"))
    assert MONTH in index and PERIOD not in index
    page = client.get(reverse("distribution:transparency", args=[PERIOD]))
    html = page.content.decode()
    assert f'href="{reverse("distribution:transparency_scenario", args=[PERIOD])}"' in html
    text = visible_text(html)
    assert f"Where the money went in {MONTH}" in text
    assert f"{ACTIVE_DAYS[0].upper()}{ACTIVE_DAYS[1:]}." in text
    # The one machine form left is the scenario's file name, in the command to run.
    assert text.count(PERIOD) == 1 and f"scenario-{PERIOD}.json" in text


def test_a_partners_statements_name_the_month_and_explain_active_days(client, closed):
    client.force_login(closed.alice)
    listing = seen(client, reverse("distribution:statements", args=["mcc"]))
    assert f"{MONTH}: gross $24.60" in listing and PERIOD not in listing
    statement = seen(client, reverse("distribution:statement", args=["mcc", PERIOD]))
    assert f"statement for {MONTH}" in statement and PERIOD not in statement
    assert "Active days: each service a resident used gets a share" in statement


def test_a_resident_reads_their_months_by_name(client, closed):
    client.force_login(closed.rita)
    text = seen(client, reverse("distribution:where_it_went"))
    assert f"{MONTH}: you paid $25.00" in text and f"The whole region's {MONTH}" in text
    assert PERIOD not in text


def test_the_steward_reads_months_by_name_when_closing_and_paying(client, october):  # noqa: F811
    client.force_login(october.sam)
    page = client.get(reverse("distribution:close_preview", args=[PERIOD]))
    assert_clean_page(page)
    preview = visible_text(page.content.decode())
    assert f"Close {MONTH} for good" in preview and f"Qualified on {MONTH}'s last day" in preview
    assert "Active days: each service a resident used gets a share" in preview
    assert PERIOD not in preview
    response = client.post(
        reverse("distribution:close_month", args=[PERIOD]),
        {"confirm": "on", "input_hash": page.context["figures"].close.input_hash},
        follow=True,
    )
    assert f"Closed {MONTH}: $37.00 in" in visible_text(response.content.decode())
    months = seen(client, reverse("distribution:close_index")).split("Preview another month")[0]
    assert f"{MONTH} Closed" in months and f"See {MONTH}'s figures" in months
    assert PERIOD not in months
    payouts = seen(client, reverse("distribution:payouts"))
    assert MONTH in payouts and PERIOD not in payouts
