"""The steward's LoRes page: sources and their errors, nodes to link or dismiss."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from solhost.core.models import AuditEvent
from solhost.lores.actions import sync_from_node
from solhost.lores.models import LoresNode, ServerNodeClaim
from solhost.lores.tasks import sync_quietly
from solhost.lores.tests import standin

PAGE = reverse("lores:steward")


@pytest.fixture(scope="module")
def node_server():
    state, server = standin.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def synced(world, node_server):
    node_server.reset()
    sync_from_node(url=node_server.url)
    world.node_url = node_server.url
    return world


def node(name: str) -> LoresNode:
    return LoresNode.objects.get(name=name)


def test_only_the_steward_sees_the_page(client, synced):
    client.force_login(synced.alice)
    assert client.get(PAGE).status_code == 403
    client.force_login(synced.sam)
    response = client.get(PAGE)
    assertContains(
        response, "The region is the LoRes region <strong>Merri-bek</strong>", html=False
    )
    assertContains(response, "garage-pi")
    assertContains(response, "CCT one (Coburg Commons Tech)")


def test_the_page_says_which_services_each_linked_node_makes_available(client, world, node_server):
    node_server.reset()
    ServerNodeClaim.objects.create(server=world.mcc_server, node_id=standin.MCC_NODE)
    sync_from_node(url=node_server.url)
    client.force_login(world.sam)
    assertContains(
        client.get(PAGE), '<a href="/services/mcc-files/">MCC Files</a> (nextcloud)', html=False
    )


def test_the_steward_links_a_proposed_node(client, synced):
    client.force_login(synced.sam)
    url = reverse("lores:link", args=[node("cct-node").pk])
    response = client.post(url, {"server": synced.cct_server.pk}, follow=True)
    assertContains(response, "cct-node is linked to CCT one.")
    linked = node("cct-node")
    assert (linked.link, linked.server) == (LoresNode.Link.LINKED, synced.cct_server)
    event = AuditEvent.objects.get(action="lores.node.link")
    assert event.actor == synced.sam


def test_a_server_is_linked_to_one_node_only(client, synced):
    client.force_login(synced.sam)
    cct = node("cct-node")
    LoresNode.objects.filter(pk=cct.pk).update(link="linked", server=synced.cct_server)
    url = reverse("lores:link", args=[node("garage-pi").pk])
    response = client.post(url, {"server": synced.cct_server.pk}, follow=True)
    assertContains(response, "Nothing was changed: choose a server for garage-pi.")
    assert node("garage-pi").link == LoresNode.Link.PROPOSED


def test_linking_without_a_server_changes_nothing(client, synced):
    client.force_login(synced.sam)
    url = reverse("lores:link", args=[node("garage-pi").pk])
    response = client.post(url, {"server": "not-a-number"}, follow=True)
    assertContains(response, "Nothing was changed")
    assert not AuditEvent.objects.filter(action="lores.node.link").exists()


def test_the_steward_dismisses_a_neighbours_node(client, synced):
    client.force_login(synced.sam)
    response = client.post(reverse("lores:dismiss", args=[node("garage-pi").pk]), follow=True)
    assertContains(response, "garage-pi is marked as not one of the region&#x27;s servers.")
    assert node("garage-pi").link == LoresNode.Link.DISMISSED
    assert AuditEvent.objects.filter(action="lores.node.dismiss").count() == 1


def test_others_cannot_link_or_dismiss(client, synced):
    client.force_login(synced.alice)
    pk = node("garage-pi").pk
    assert client.post(reverse("lores:dismiss", args=[pk])).status_code == 403
    assert client.post(reverse("lores:link", args=[pk]), {"server": 1}).status_code == 403
    assert node("garage-pi").link == LoresNode.Link.PROPOSED


def test_a_failed_scheduled_sync_is_shown_and_never_raises(client, synced):
    sync_quietly("http://127.0.0.1:9/")  # the discard port: nothing answers
    client.force_login(synced.sam)
    response = client.get(PAGE)
    assertContains(response, "last read failed")
    assertContains(response, "GET /public_api/my_regions/: the node could not be reached")
    assertContains(response, f"{synced.node_url}: read")
    assertNotContains(response, "No LoRes node has been read yet")
