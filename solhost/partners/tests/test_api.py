import pytest

from solhost.lores.tests.evidence import put_on_lores
from solhost.partners.models import Service


def test_partners_lists_partners_but_not_the_steward(client, world):
    response = client.get("/api/v1/partners")
    assert response.status_code == 200
    body = response.json()
    assert [p["slug"] for p in body] == ["cct", "mcc"]
    mcc = body[1]
    assert mcc["name"] == "Merri Creek Computing"
    assert mcc["kind"] == "partner"
    assert mcc["legal_form"] == "cooperative"
    assert [s["slug"] for s in mcc["services"]] == ["mcc-files"]
    assert [s["slug"] for s in mcc["servers"]] == ["mcc-1"]


def test_one_partner_with_its_services_and_servers(client, world):
    response = client.get("/api/v1/partners/mcc")
    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == "mcc"
    (service,) = body["services"]
    assert service == {
        "slug": "mcc-files",
        "name": "MCC Files",
        "summary": "File sync and calendars.",
        "kind": "files",
        "software": "Nextcloud",
        "software_version": "",
        "licence": "AGPL-3.0-or-later",
        "source_url": "https://github.com/nextcloud/server",
        "audience": "public",
        "url": "https://files.mcc.example.org",
        "lores_url": "http://files.mesh",
        "accepts_new_residents": True,
        "partner": "mcc",
        "how_to_leave": {
            "export_formats": [],
            "export_steps": "",
            "account_move": "none",
            "account_move_steps": "",
        },
    }
    (server,) = body["servers"]
    assert server == {
        "slug": "mcc-1",
        "name": "MCC one",
        "role": "primary",
        "locality": "",
        "latitude": -37.767,
        "longitude": 144.975,
        "hosting_company": "self-hosted",
        "asn": None,
        "operation_started": "2025-09-01",
    }


@pytest.mark.parametrize("slug", ["steward", "nobody"])
def test_the_steward_and_unknown_slugs_are_not_partners(client, world, slug):
    assert client.get(f"/api/v1/partners/{slug}").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["cct-chat", "mcc-files"]),
        ("?kind=files", ["mcc-files"]),
        ("?kind=chat", ["cct-chat"]),
        ("?kind=nonexistent", []),
        ("?partner=cct", ["cct-chat"]),
        ("?software=nextcloud", ["mcc-files"]),
        ("?q=matrix", ["cct-chat"]),
        ("?kind=files&partner=cct", []),
    ],
)
def test_services_are_filtered(client, world, query, expected):
    response = client.get(f"/api/v1/services{query}")
    assert response.status_code == 200
    assert [s["slug"] for s in response.json()] == expected


def test_the_lores_filter_keeps_the_services_the_lores_sync_found(client, world):
    # A LoRes address typed by the partner is not enough: the sync must find the app.
    assert client.get("/api/v1/services?lores=true").json() == []
    put_on_lores(world.mcc_service, app_name="nextcloud")
    assert [s["slug"] for s in client.get("/api/v1/services?lores=true").json()] == ["mcc-files"]


def test_services_give_the_kind_and_partner_by_slug(client, world):
    (service,) = client.get("/api/v1/services?kind=chat").json()
    assert service["kind"] == "chat"
    assert service["partner"] == "cct"


def test_services_say_whether_they_take_new_residents(client, world):
    world.cct_service.accepts_new_residents = False
    world.cct_service.save()
    taking = {s["slug"]: s["accepts_new_residents"] for s in client.get("/api/v1/services").json()}
    assert taking == {"mcc-files": True, "cct-chat": False}


def test_a_bad_lores_value_is_a_clear_422(client, world):
    response = client.get("/api/v1/services?lores=banana")
    assert response.status_code == 422
    assert "lores" in str(response.json()["detail"])


def test_services_ordered_by_kind_then_name(client, world):
    Service.objects.create(
        organisation=world.mcc,
        slug="mcc-chat",
        name="A chat",
        kind=world.chat,
        summary="Chat.",
        software="Synapse",
        licence="AGPL-3.0-or-later",
        source_url="https://example.org/src",
        url="https://example.org",
    )
    slugs = [s["slug"] for s in client.get("/api/v1/services").json()]
    assert slugs == ["mcc-chat", "cct-chat", "mcc-files"]


def test_partner_list_queries_do_not_grow_with_partners(
    client, world, django_assert_max_num_queries
):
    from solhost.partners.models import Organisation

    for n in range(5):
        Organisation.objects.create(
            name=f"Extra co-op {n}", slug=f"extra-{n}", legal_form="cooperative", summary="More."
        )
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/v1/partners").json()) == 7
