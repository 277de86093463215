"""The public parameters pages speak dollars, percentages and words, not cents and basis points."""

import re

from django.urls import reverse

from solhost.web.tests.pages import assert_clean_page


def in_force(html: str) -> dict[str, str]:
    rows = re.findall(
        r'<a href="/governance/parameters/([a-z_0-9]+)/">.*?<td data-label="In force today">(.*?)</td>',
        html,
        re.S,
    )
    return {key: " ".join(value.split()) for key, value in rows}


def test_values_in_force_are_in_human_units(client, db):
    response = client.get(reverse("governance:parameters"))
    assert_clean_page(response)
    found = in_force(response.content.decode())
    assert found["contribution_max_cents"] == "$1,000.00 a month"
    assert found["contribution_tiers_cents"] == "$0.00, $5.00, $12.00, $25.00 a month"
    assert found["energy_min_coverage_bp"] == "90 % of the window"
    assert found["pay_ceiling_cents_per_fte"] == "$58,333.60 per FTE per year"
    assert found["local_max_distance_m"] == "1,000 metres"
    assert found["s1_exception_roles"] == "off-site backup, DNS, cloud connector"
    assert found["usage_weight_rule"].startswith("active days: each service a resident used")
    for value in found.values():
        assert "basis points" not in value and "AUD cents" not in value


def test_a_parameters_range_and_entries_are_in_words(client, db):
    html = client.get(
        reverse("governance:parameter", args=["telemetry_plausibility_margin_bp"])
    ).content.decode()
    assert "100 % of the declared power to 1000 % of the declared power" in html
    html = client.get(reverse("governance:parameter", args=["zero_usage_rule"])).content.decode()
    assert "the commons pool; the solidarity fund" in html


def test_a_parameters_key_may_wrap_after_each_underscore(client, db):
    html = client.get(
        reverse("governance:parameter", args=["account_deletion_grace_days"])
    ).content.decode()
    assert "<h1>account_<wbr>deletion_<wbr>grace_<wbr>days</h1>" in html
