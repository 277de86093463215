"""Who may see and change which manage pages: the full matrix, and nothing written when refused."""

import pytest
from django.urls import reverse

from solhost.partners.forms import OrganisationForm, ServerForm, ServiceForm
from solhost.partners.tests.helpers import NEW_SERVER, POWER_DATA, db_state
from solhost.tests.forms import form_data

PERSONAS = ("anonymous", "rita", "bob", "alice", "carol", "sam")


def _dashboard(world):
    return "GET", reverse("partners:dashboard"), None


def _overview(world):
    return "GET", reverse("partners:organisation", args=["mcc"]), None


def _org_edit_get(world):
    return "GET", reverse("partners:organisation_edit", args=["mcc"]), None


def _org_edit_post(world):
    data = form_data(OrganisationForm(instance=world.mcc), summary="Changed by a test.")
    return "POST", reverse("partners:organisation_edit", args=["mcc"]), data


def _server_add_post(world):
    return "POST", reverse("partners:server_add", args=["mcc"]), NEW_SERVER


def _server_edit_post(world):
    data = form_data(ServerForm(instance=world.mcc_server), locality="Brunswick")
    return "POST", reverse("partners:server_edit", args=["mcc", "mcc-1"]), data


def _service_edit_post(world):
    form = ServiceForm(instance=world.mcc_service, organisation=world.mcc)
    data = form_data(form, summary="Files, calendars and contacts.")
    return "POST", reverse("partners:service_edit", args=["mcc", "mcc-files"]), data


def _power_edit_get(world):
    return "GET", reverse("energy:power_edit", args=["mcc", "mcc-1"]), None


def _power_edit_post(world):
    return "POST", reverse("energy:power_edit", args=["mcc", "mcc-1"]), POWER_DATA


LOGIN = 302
# Expected status per persona, in the order of PERSONAS.
CASES = {
    "dashboard": (_dashboard, (LOGIN, 200, 200, 200, 200, 200)),
    "view mcc overview": (_overview, (LOGIN, 404, 200, 200, 404, 404)),
    "edit mcc org GET": (_org_edit_get, (LOGIN, 404, 403, 200, 404, 404)),
    "edit mcc org POST": (_org_edit_post, (LOGIN, 404, 403, 302, 404, 404)),
    "add mcc server POST": (_server_add_post, (LOGIN, 404, 403, 302, 404, 404)),
    "edit mcc server POST": (_server_edit_post, (LOGIN, 404, 403, 302, 404, 404)),
    "edit mcc service POST": (_service_edit_post, (LOGIN, 404, 403, 302, 404, 404)),
    "power edit GET": (_power_edit_get, (LOGIN, 404, 403, 200, 404, 404)),
    "power edit POST": (_power_edit_post, (LOGIN, 404, 403, 302, 404, 404)),
}
MATRIX = [
    pytest.param(case, persona, expected, id=f"{case}-{persona}")
    for case, (_, statuses) in CASES.items()
    for persona, expected in zip(PERSONAS, statuses, strict=True)
]


@pytest.mark.parametrize(("case", "persona", "expected"), MATRIX)
def test_permission_matrix(client, world, case, persona, expected):
    method, url, data = CASES[case][0](world)
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    before = db_state()

    response = client.get(url) if method == "GET" else client.post(url, data)

    assert response.status_code == expected
    if persona == "anonymous":
        assert response.url.startswith(reverse("account_login"))
    if method == "POST" and expected == 302 and persona != "anonymous":
        assert response.url == reverse("partners:organisation", args=["mcc"])
        assert db_state() != before
    else:
        assert db_state() == before


def test_dashboard_lists_only_the_users_organisations(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("partners:dashboard"))
    assert [m.organisation for m in response.context["memberships"]] == [world.mcc]
    assert "Coburg Commons Tech" not in response.content.decode()


def test_dashboard_for_someone_without_an_organisation(client, world):
    client.force_login(world.rita)
    response = client.get(reverse("partners:dashboard"))
    assert "not a member of any hosting partner" in response.content.decode()


def test_member_sees_records_without_edit_links(client, world):
    client.force_login(world.bob)
    page = client.get(reverse("partners:organisation", args=["mcc"])).content.decode()
    assert "MCC one" in page and "MCC Files" in page
    assert f'href="{reverse("partners:organisation_edit", args=["mcc"])}"' not in page
    assert f'href="{reverse("partners:server_edit", args=["mcc", "mcc-1"])}"' not in page
    assert f'href="{reverse("energy:power_edit", args=["mcc", "mcc-1"])}"' not in page


def test_admin_sees_edit_links(client, world):
    client.force_login(world.alice)
    page = client.get(reverse("partners:organisation", args=["mcc"])).content.decode()
    for url in (
        reverse("partners:organisation_edit", args=["mcc"]),
        reverse("partners:server_add", args=["mcc"]),
        reverse("partners:server_edit", args=["mcc", "mcc-1"]),
        reverse("energy:power_edit", args=["mcc", "mcc-1"]),
        reverse("partners:service_add", args=["mcc"]),
        reverse("partners:service_edit", args=["mcc", "mcc-files"]),
    ):
        assert f'href="{url}"' in page


@pytest.mark.parametrize(
    ("url_name", "args"),
    [
        ("partners:server_edit", ["cct", "mcc-1"]),
        ("energy:power_edit", ["cct", "mcc-1"]),
        ("partners:service_edit", ["cct", "mcc-files"]),
        ("partners:organisation", ["no-such-org"]),
    ],
)
def test_another_partners_records_do_not_exist_even_through_ones_own_org(
    client, world, url_name, args
):
    client.force_login(world.carol)
    before = db_state()
    assert client.get(reverse(url_name, args=args)).status_code == 404
    assert client.post(reverse(url_name, args=args), POWER_DATA).status_code == 404
    assert db_state() == before


def test_unknown_and_foreign_organisations_look_the_same(client, world):
    client.force_login(world.carol)
    foreign = client.get(reverse("partners:organisation", args=["mcc"]))
    missing = client.get(reverse("partners:organisation", args=["nope"]))
    assert foreign.status_code == missing.status_code == 404
