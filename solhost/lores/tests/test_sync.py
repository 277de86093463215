"""The sync against a stand-in LoRes node over real HTTP: first import, re-sync, changes,
and every way a node can fail, each of which changes nothing."""

import socket

import pytest
from django.core.management import CommandError, call_command

from solhost.core.models import AuditEvent
from solhost.core.problems import InputProblems
from solhost.lores.actions import sync_from_node
from solhost.lores.models import (
    LoresNode,
    LoresRegion,
    NodeApp,
    ServerNodeClaim,
    ServiceOnLores,
    SyncSource,
)
from solhost.lores.tests import standin
from solhost.lores.tests.standin import Answer


@pytest.fixture(scope="module")
def node_server():
    state, server = standin.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def node(node_server):
    node_server.reset()
    return node_server


@pytest.fixture
def claimed(world):
    """MCC said its server is mcc-node; nobody said anything about the others."""
    ServerNodeClaim.objects.create(server=world.mcc_server, node_id=standin.MCC_NODE)
    return world


def stored() -> dict:
    """Everything the sync writes, to show a failed sync changed nothing."""
    return {
        "regions": list(LoresRegion.objects.values()),
        "nodes": list(LoresNode.objects.order_by("pk").values()),
        "apps": list(NodeApp.objects.order_by("pk").values()),
        "on_lores": list(ServiceOnLores.objects.order_by("pk").values()),
        "events": AuditEvent.objects.count(),
    }


NOTHING_STORED = {"regions": [], "nodes": [], "apps": [], "on_lores": [], "events": 0}


def sync_problems(url: str, **kwargs) -> list[tuple[str, str]]:
    with pytest.raises(InputProblems) as raised:
        sync_from_node(url=url, **kwargs)
    return raised.value.problems


def test_first_import_links_the_region_and_only_claimed_nodes(node, claimed):
    result = sync_from_node(url=node.url)
    lores_region = LoresRegion.objects.get()
    assert lores_region.region == claimed.region
    assert (lores_region.lores_id, lores_region.name) == (standin.REGION_ID, "Merri-bek")
    assert (lores_region.min_lat, lores_region.max_lng) == (-37.79, 145.02)
    mcc, cct, garage = LoresNode.objects.order_by("lores_id")
    assert (mcc.link, mcc.server) == (LoresNode.Link.LINKED, claimed.mcc_server)
    assert (cct.link, cct.server) == (LoresNode.Link.PROPOSED, None)
    assert (garage.link, garage.latitude, garage.status) == ("proposed", None, "RequestedToJoin")
    assert (mcc.state, mcc.status_text, mcc.public_ipv4) == ("active", "All good", "203.0.113.1")
    assert (result.nodes, result.proposed) == (3, 2)
    assert sorted(mcc.apps.values_list("name", "version")) == [
        ("matrix-synapse", "1.128.0"),
        ("nextcloud", "31.0.2"),
    ]
    event = AuditEvent.objects.get(action="lores.sync")
    assert event.note.startswith(f"From {node.url}: linked to the LoRes region Merri-bek")
    assert "new node mcc-node, linked to MCC one as claimed" in event.note
    assert "new node garage-pi, proposed to the steward" in event.note
    assert SyncSource.objects.get(url=node.url).last_success_at is not None


def test_a_second_identical_import_changes_nothing(node, claimed):
    sync_from_node(url=node.url)
    before = stored()
    result = sync_from_node(url=node.url)
    assert result.changes == []
    after = stored()
    for row in before["nodes"] + after["nodes"]:
        row.pop("last_seen")
    for row in before["on_lores"] + after["on_lores"]:
        row.pop("checked_at")
    assert after == before


def test_a_node_that_changed_state_is_updated_and_audited(node, claimed):
    sync_from_node(url=node.url)
    node.regions()[0]["nodes"][0].update(state="maintenance", status_text="New battery")
    result = sync_from_node(url=node.url)
    mcc = LoresNode.objects.get(node_id=standin.MCC_NODE)
    assert (mcc.state, mcc.status_text, mcc.server) == (
        "maintenance",
        "New battery",
        claimed.mcc_server,
    )
    assert result.changes == [
        "node mcc-node: state 'active' → 'maintenance', status_text 'All good' → 'New battery'"
    ]
    assert AuditEvent.objects.filter(action="lores.sync").count() == 2


def test_an_app_removed_from_a_node_is_removed_and_audited(node, claimed):
    sync_from_node(url=node.url)
    node.apps()[0]["installations"].pop(1)
    node.apps()[1]["installations"][0]["version"] = "1.129.0"
    result = sync_from_node(url=node.url)
    assert result.changes == [
        "app matrix-synapse on mcc-node: 1.128.0 → 1.129.0",
        "app nextcloud removed from cct-node",
    ]
    assert not NodeApp.objects.filter(node__name="cct-node").exists()


def test_first_import_makes_a_service_available_where_its_partners_node_runs_its_software(
    node, claimed
):
    sync_from_node(url=node.url)
    evidence = ServiceOnLores.objects.get()
    assert evidence.service == claimed.mcc_service
    assert (evidence.node.name, evidence.app_name, evidence.app_version) == (
        "mcc-node",
        "nextcloud",
        "31.0.2",
    )
    assert evidence.found_at == evidence.checked_at
    event = AuditEvent.objects.get(action="lores.availability")
    assert event.object_id == str(claimed.mcc_service.pk)
    assert event.note.startswith(
        "MCC Files is available on LoRes: the LoRes app nextcloud 31.0.2 is installed on the node mcc-node, read "
    )
    assert "MCC Files is available on LoRes" in AuditEvent.objects.get(action="lores.sync").note


def test_an_app_of_other_software_or_on_another_partners_node_makes_nothing_available(
    node, claimed
):
    # CCT's node runs Nextcloud, its service is Synapse; Synapse runs on MCC's node only.
    ServerNodeClaim.objects.create(server=claimed.cct_server, node_id=standin.CCT_NODE)
    sync_from_node(url=node.url)
    assert list(ServiceOnLores.objects.values_list("service__slug", flat=True)) == ["mcc-files"]


def test_a_new_version_of_the_app_is_kept_as_evidence_and_audited(node, claimed):
    sync_from_node(url=node.url)
    node.apps()[0]["installations"][0]["version"] = "31.0.3"
    result = sync_from_node(url=node.url)
    assert result.changes[0] == "app nextcloud on mcc-node: 31.0.2 → 31.0.3"
    assert result.changes[1].startswith(
        "MCC Files is available on LoRes: the LoRes app nextcloud 31.0.3"
    )
    assert ServiceOnLores.objects.get().app_version == "31.0.3"
    assert AuditEvent.objects.filter(action="lores.availability").count() == 2


def test_an_app_removed_from_a_node_takes_the_services_availability_and_is_audited(node, claimed):
    sync_from_node(url=node.url)
    node.apps()[0]["installations"].pop(0)
    result = sync_from_node(url=node.url)
    assert result.changes == [
        "app nextcloud removed from mcc-node",
        "MCC Files is no longer available on LoRes: no app running Nextcloud is on a node "
        "linked to its partner's servers (it was nextcloud on mcc-node)",
    ]
    assert not ServiceOnLores.objects.exists()
    event = AuditEvent.objects.filter(action="lores.availability").latest("pk")
    assert event.object_id == str(claimed.mcc_service.pk)
    assert event.note.startswith("MCC Files is no longer available on LoRes")


def test_a_node_the_steward_dismissed_no_longer_makes_services_available(node, claimed):
    sync_from_node(url=node.url)
    LoresNode.objects.filter(node_id=standin.MCC_NODE).update(link="dismissed", server=None)
    assert (
        sync_from_node(url=node.url)
        .changes[0]
        .startswith("MCC Files is no longer available on LoRes")
    )


def test_a_steward_link_survives_the_next_sync(node, claimed):
    sync_from_node(url=node.url)
    LoresNode.objects.filter(node_id=standin.CCT_NODE).update(
        link="linked", server=claimed.cct_server
    )
    sync_from_node(url=node.url)
    assert LoresNode.objects.get(node_id=standin.CCT_NODE).server == claimed.cct_server


def test_a_malformed_answer_changes_nothing_and_names_the_field(node, claimed):
    sync_from_node(url=node.url)
    before = stored()
    node.regions()[0]["nodes"][0]["state"] = "maintenance"
    node.regions()[0]["nodes"][2]["latlng"] = {"lat": "north", "lng": 144.9}
    assert sync_problems(node.url) == [
        ("GET /public_api/my_regions/ $[0].nodes[2].latlng.lat", "not a number")
    ]
    assert stored() == before
    source = SyncSource.objects.get(url=node.url)
    assert "$[0].nodes[2].latlng.lat: not a number" in source.last_error
    assert source.last_error_at is not None


def test_an_installation_on_an_unknown_node_changes_nothing(node, claimed):
    node.apps()[1]["installations"][0]["region_node_id"] = 99
    assert sync_problems(node.url) == [
        (
            "GET /public_api/region_apps/ $[1].installations[0].region_node_id",
            "no node with id 99 in the region",
        )
    ]
    assert stored() == NOTHING_STORED


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Answer(b"<html>Welcome</html>"), "is not JSON: Expecting value at line 1 column 1"),
        (Answer(b"", status=500), "the node answered HTTP 500"),
        (Answer(b"[]", delay=2), "no answer within 0.5 seconds"),
    ],
    ids=["not-json", "server-error", "timeout"],
)
def test_a_bad_answer_changes_nothing(node, claimed, answer, message):
    node.raw["/public_api/my_regions/"] = answer
    assert sync_problems(node.url, timeout=0.5) == [("GET /public_api/my_regions/", message)]
    assert stored() == NOTHING_STORED


def test_an_oversized_answer_is_refused_by_the_sync(node, claimed):
    node.raw["/public_api/region_apps/"] = Answer(b"[" + b" " * (3 * 1024 * 1024) + b"]")
    assert sync_problems(node.url) == [
        ("GET /public_api/region_apps/", "the answer is larger than 2,097,152 bytes")
    ]
    assert stored()["nodes"] == []


def test_an_unreachable_node_changes_nothing(claimed):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    [(where, message)] = sync_problems(url)
    assert where == "GET /public_api/my_regions/"
    assert message.startswith("the node could not be reached")
    assert stored() == NOTHING_STORED
    assert SyncSource.objects.get(url=url).last_error.startswith("GET /public_api/my_regions/")


def test_a_node_of_another_region_is_refused_once_linked(node, claimed):
    sync_from_node(url=node.url)
    node.regions()[0]["region"]["id"] = "0" * 64
    assert sync_problems(node.url) == [
        ("GET /public_api/my_regions/", f"the node is not in the LoRes region {standin.REGION_ID}")
    ]


def test_the_command_reports_what_changed(node, claimed, capsys):
    call_command("lores", "sync", "--url", node.url)
    out = capsys.readouterr().out
    assert "Merri-bek: 3 nodes, 2 waiting for the steward." in out
    call_command("lores", "sync", "--url", node.url)
    assert "Nothing changed." in capsys.readouterr().out


def test_the_command_says_what_failed(node, claimed):
    node.raw["/public_api/my_regions/"] = Answer(b"nope")
    with pytest.raises(
        CommandError, match=r"Nothing was changed:\n  GET /public_api/my_regions/: is not JSON"
    ):
        call_command("lores", "sync", "--url", node.url)


def test_a_claim_made_after_the_first_sync_links_the_proposed_node(node, claimed):
    sync_from_node(url=node.url)
    ServerNodeClaim.objects.create(server=claimed.cct_server, node_id=standin.CCT_NODE)
    result = sync_from_node(url=node.url)
    assert result.changes == ["node cct-node: linked to CCT one as claimed"]
    assert LoresNode.objects.get(node_id=standin.CCT_NODE).server == claimed.cct_server


def test_a_claim_never_overrides_the_stewards_dismissal(node, claimed):
    sync_from_node(url=node.url)
    LoresNode.objects.filter(node_id=standin.CCT_NODE).update(link="dismissed")
    ServerNodeClaim.objects.create(server=claimed.cct_server, node_id=standin.CCT_NODE)
    assert sync_from_node(url=node.url).changes == []


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        ({"name": "x" * 201}, "$[0].nodes[0].name", "longer than 200 characters"),
        ({"node_id": "k" * 129}, "$[0].nodes[0].node_id", "longer than 128 characters"),
        ({"id": 2**63}, "$[0].nodes[0].id", "not an id (0 to 2⁶³ − 1)"),
        ({"status_text": "\x00"}, "$[0].nodes[0].status_text", "contains a NUL character (U+0000)"),
    ],
)
def test_values_no_column_can_hold_change_nothing(node, claimed, change, where, message):
    node.regions()[0]["nodes"][0].update(change)
    assert sync_problems(node.url) == [(f"GET /public_api/my_regions/ {where}", message)]
    assert stored() == NOTHING_STORED


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "'file:///etc/passwd' is not an http:// or https:// address"),
        ("http://node/" + "a" * 200, "the address is longer than 200 characters"),
        ("http://[node/", "'http://[node/' is not an address that can be read (Invalid IPv6 URL)"),
        (
            "http://node:99999/",
            "'http://node:99999/' is not an address that can be read (Port out of range 0-65535)",
        ),
        ("http://node /", "'http://node /' holds a space or a control character"),
        ("https:///api", "'https:///api' names no host"),
    ],
)
def test_an_address_that_is_no_node_is_refused(claimed, url, message):
    assert sync_problems(url) == [("--url", message)]
    assert not SyncSource.objects.exists()


def test_an_installation_without_its_region_says_so(node, db, settings):
    settings.SOLHOST_REGION = "nowhere"
    assert sync_problems(node.url) == [("SOLHOST_REGION", "no region 'nowhere' is set up here")]
