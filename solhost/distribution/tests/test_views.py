import datetime
import json

import pytest
from django.urls import reverse

from solhost.distribution.actions import close_period
from solhost.distribution.tests.test_close import AFTER_GRACE, PERIOD, ZONE, october  # noqa: F401
from solhost.metering.actions import record_usage_batch
from solhost.test import sub_at
from solhost.web.tests.pages import assert_clean_page


@pytest.fixture
def closed(october):  # noqa: F811
    close_period(period=PERIOD, actor=None, today=AFTER_GRACE)
    return october


def test_the_public_page_shows_totals_a_sankey_with_a_table_and_the_hash(client, closed):
    page = client.get(reverse("distribution:transparency", args=[PERIOD]))
    assert_clean_page(page)
    html = page.content.decode()
    for text in (
        "$37.00",
        "$3.70",
        "Merri Creek Computing",
        "Coburg Commons Tech",
        "solhost-split-1",
    ):
        assert text in html
    assert 'id="transparency-sankey"' in html and ">Per partner</caption>" in html
    flows = json.loads(
        html.split('id="transparency-sankey-data" type="application/json">')[1].split("</script>")[
            0
        ]
    )
    assert {"source": "Contributions", "target": "Merri Creek Computing", "value": 2460} in flows[
        "links"
    ]
    # Residents are never on the public page.
    assert "rita" not in html and str(closed.rita.sub) not in html
    index = client.get(reverse("distribution:transparency_index"))
    assert_clean_page(index)
    assert PERIOD in index.content.decode()


def test_an_unclosed_or_malformed_period_is_404(client, closed):
    assert client.get("/transparency/2026-09/").status_code == 404
    assert client.get("/transparency/2026-13/").status_code == 404


def test_a_partner_sees_its_own_statement_in_html_and_csv(client, closed):
    client.force_login(closed.bob)
    page = client.get(reverse("distribution:statement", args=["mcc", PERIOD]))
    assert_clean_page(page)
    html = page.content.decode()
    assert "Residents counted" in html and "$24.60" in html and "MCC Files" in html
    csv_text = client.get(
        reverse("distribution:statement_csv", args=["mcc", PERIOD])
    ).content.decode()
    assert csv_text.splitlines()[1].startswith("2026-10,mcc,,2,4,2460,0,0,0,0,0,2460")
    assert "mcc-files" in csv_text and "cct-chat" not in csv_text
    assert client.get(reverse("distribution:statements", args=["mcc"])).status_code == 200


@pytest.mark.parametrize(
    "persona, slug", [("carol", "mcc"), ("alice", "cct"), ("rita", "mcc"), ("bob", "nonexistent")]
)
def test_nobody_sees_another_partners_statement(client, closed, persona, slug):
    client.force_login(getattr(closed, persona))
    for name in ("statement", "statement_csv"):
        assert client.get(reverse(f"distribution:{name}", args=[slug, PERIOD])).status_code == 404
    assert client.get(reverse("distribution:statements", args=[slug])).status_code == 404


def test_the_steward_sees_every_statement(client, closed):
    client.force_login(closed.sam)
    assert client.get(reverse("distribution:statement", args=["cct", PERIOD])).status_code == 200


def test_a_resident_sees_their_own_days_since_the_last_close_and_nobody_elses(client, closed):
    client.force_login(closed.rita)
    html = client.get(reverse("distribution:where_it_went")).content.decode()
    assert "No service has reported your use since the last closed month" in html
    november = datetime.datetime(2026, 11, 20, 12, tzinfo=ZONE)
    for day in (3, 4, 9):
        record_usage_batch(
            partner=closed.mcc,
            events=[
                {
                    "id": f"nov-{day}",
                    "resident": sub_at(closed.rita, closed.mcc),
                    "service": "mcc-files",
                    "kind": "open",
                    "occurred_at": datetime.datetime(2026, 11, day, 10, tzinfo=ZONE).isoformat(),
                }
            ],
            now=november,
        )
    page = client.get(reverse("distribution:where_it_went"))
    assert_clean_page(page)
    html = page.content.decode()
    rows = page.context["open_usage"]
    assert rows == [
        {
            "service": "MCC Files",
            "partner": "Merri Creek Computing",
            "days": 3,
            "first": datetime.date(2026, 11, 3),
            "last": datetime.date(2026, 11, 9),
        }
    ]
    assert "3 Nov 2026" in html and "9 Nov 2026" in html
    client.force_login(closed.bob)
    assert client.get(reverse("distribution:where_it_went")).context["open_usage"] == []


def test_a_resident_sees_which_of_their_partners_money_is_held(client, october):  # noqa: F811
    from solhost.distribution.tests.test_close import qualify

    qualify(october.cct, qualified=False)
    close_period(period=PERIOD, actor=None, today=AFTER_GRACE)
    client.force_login(october.rita)
    page = client.get(reverse("distribution:where_it_went"))
    held = {row["service"]: row["held"] for row in page.context["months"][0]["rows"]}
    assert held == {"MCC Files": False, "CCT Chat": True}
    assert "run by Coburg Commons Tech: held for it until it meets the charter" in (
        page.content.decode()
    )


def test_a_resident_sees_where_their_own_money_went_and_nobody_elses(client, closed):
    client.force_login(closed.rita)
    page = client.get(reverse("distribution:where_it_went"))
    assert_clean_page(page)
    html = page.content.decode()
    assert (
        "you paid $25.00" in html
        and "MCC Files" in html
        and "$15.00" in html
        and "CCT Chat" in html
    )
    assert "$12.00" not in html  # Bob's payment
    client.force_login(closed.bob)
    html = client.get(reverse("distribution:where_it_went")).content.decode()
    assert "you paid $12.00" in html and "CCT Chat" not in html and "$25.00" not in html
    client.force_login(closed.carol)
    assert (
        "No month with your payments"
        in client.get(reverse("distribution:where_it_went")).content.decode()
    )
