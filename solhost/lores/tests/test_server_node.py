"""A server's page shows its LoRes node: state, status text and how far its pin is."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from solhost.lores.models import LoresNode, LoresRegion
from solhost.lores.queries import nodes_for_servers


@pytest.fixture
def linked(world):
    lores_region = LoresRegion.objects.create(region=world.region, lores_id="r1", name="Merri-bek")
    seen = timezone.make_aware(datetime.datetime(2026, 12, 5, 9, 30))

    def node(name, server, lat, lng, **extra):
        return LoresNode.objects.create(
            lores_region=lores_region,
            lores_id=len(name),
            node_id=f"key-{name}",
            name=name,
            latitude=lat,
            longitude=lng,
            last_seen=seen,
            link=LoresNode.Link.LINKED,
            server=server,
            **extra,
        )

    node(
        "mcc-node",
        world.mcc_server,
        -37.7672,
        144.9751,
        state="maintenance",
        status_text="New battery going in",
    )
    # About 3.7 km east of the server's declared place in Coburg.
    node("cct-node", world.cct_server, -37.742, 145.005, state="active")
    return world


def test_the_node_state_and_a_nearby_pin_are_shown(client, linked):
    response = client.get(reverse("energy:server", args=["mcc-1"]))
    assertContains(response, "On the LoRes mesh")
    assertContains(response, "<dt>State</dt><dd>In maintenance</dd>", html=True)
    assertContains(response, "New battery going in")
    assertContains(
        response, "The node&#x27;s pin is 24 m from the server&#x27;s declared location."
    )
    assertNotContains(response, "Check the location")


def test_a_pin_far_from_the_server_is_flagged(client, linked):
    response = client.get(reverse("energy:server", args=["cct-1"]))
    assertContains(response, "<strong>Check the location:</strong>", html=False)
    assertContains(response, "3.7 km from the server&#x27;s declared location, more than the 2 km")


def test_a_server_without_a_linked_node_says_nothing_of_lores(client, linked):
    LoresNode.objects.filter(name="cct-node").update(link="dismissed", server=None)
    assertNotContains(client.get(reverse("energy:server", args=["cct-1"])), "LoRes")


def test_nodes_for_many_servers_take_one_query(linked, django_assert_num_queries):
    servers = [linked.mcc_server, linked.cct_server]
    with django_assert_num_queries(1):
        facts = nodes_for_servers(servers)
    assert [facts[s.pk].location_mismatch for s in servers] == [False, True]


def test_a_node_without_a_pin_says_so(linked):
    LoresNode.objects.filter(name="cct-node").update(latitude=None, longitude=None)
    facts = nodes_for_servers([linked.cct_server])[linked.cct_server.pk]
    assert (facts.location_mismatch, facts.distance_words) == (
        False,
        "The node has no pin on the LoRes map.",
    )
