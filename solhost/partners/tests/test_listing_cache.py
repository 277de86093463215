"""What the public pages keep between requests is stale the moment a listed record changes."""

import pytest
from django.core.cache import caches

from solhost.energy.tests.helpers import power_system
from solhost.partners.listing_cache import cached, cached_many, current_stamp, renew_stamp
from solhost.partners.models import ListingStamp, Organisation, ServiceKind


def counting(value):
    calls = []

    def build():
        calls.append(1)
        return value

    return build, calls


def test_a_value_is_built_once_under_one_stamp(db):
    build, calls = counting(["built"])
    stamp = current_stamp()
    assert cached("thing", build, stamp=stamp) == ["built"]
    assert cached("thing", build, stamp=stamp) == ["built"]
    assert len(calls) == 1


def test_none_is_kept_like_any_value(db):
    build, calls = counting(None)
    stamp = current_stamp()
    cached("nothing", build, stamp=stamp)
    cached("nothing", build, stamp=stamp)
    assert len(calls) == 1


def test_a_new_stamp_builds_again(db):
    build, calls = counting("built")
    cached("thing", build, stamp=current_stamp())
    renew_stamp()
    cached("thing", build, stamp=current_stamp())
    assert len(calls) == 2


def test_without_a_stamp_row_nothing_is_cached(db):
    ListingStamp.objects.all().delete()
    assert current_stamp() is None
    build, calls = counting("built")
    cached("thing", build, stamp=None)
    cached("thing", build, stamp=None)
    assert len(calls) == 2
    # The next write puts the row back.
    renew_stamp()
    assert current_stamp() is not None


def test_cached_many_builds_only_what_is_missing(db):
    asked = []

    def build(names):
        asked.append(names)
        return {name: name.upper() for name in names}

    stamp = current_stamp()
    assert cached_many(["a", "b"], build, stamp=stamp) == {"a": "A", "b": "B"}
    assert cached_many(["b", "c", "a"], build, stamp=stamp) == {"a": "A", "b": "B", "c": "C"}
    assert asked == [["a", "b"], ["c"]]


def change(world, record: str) -> None:
    if record == "organisation":
        world.mcc.summary = "Changed."
        world.mcc.save()
    elif record == "kind":
        world.chat.search_words = "whatsapp"
        world.chat.save()
    elif record == "service":
        world.mcc_service.name = "Renamed"
        world.mcc_service.save()
    elif record == "server":
        world.mcc_server.locality = "Coburg"
        world.mcc_server.save()
    elif record == "region":
        world.region.name = "Renamed Region"
        world.region.save()
    elif record == "deleted service":
        world.cct_service.delete()
    elif record == "deleted kind":
        ServiceKind.objects.create(slug="email", name="Email").delete()
    elif record == "deleted organisation":
        Organisation.objects.create(name="Gone", slug="gone", summary="Gone.").delete()
    elif record == "servers of a service":
        world.mcc_service.servers.add(world.cct_server)
    elif record == "power system":
        power_system(world.mcc_server)


@pytest.mark.parametrize(
    "record",
    [
        "organisation",
        "kind",
        "service",
        "server",
        "region",
        "deleted service",
        "deleted kind",
        "deleted organisation",
        "servers of a service",
        "power system",
    ],
)
def test_writing_a_listed_record_renews_the_stamp(world, record):
    before = current_stamp()
    change(world, record)
    assert current_stamp() != before


def test_what_the_pages_keep_stays_apart_from_the_sign_in_limits(client, world):
    client.get("/services/")
    key = f"listings:{current_stamp()}"
    assert caches["listing"].get(key) is not None
    assert caches["default"].get(key) is None
