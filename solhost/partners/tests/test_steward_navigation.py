"""The steward's links in the navigation follow who acts for the steward, like the pages do."""

import pytest

from solhost.partners.models import Membership
from solhost.test import make_user

STEWARD_LINKS = (
    'href="/qualification/review/"',
    'href="/contribute/payments/"',
    'href="/payouts/"',
    'href="/closes/"',
)


def nav(client) -> str:
    """The header's navigation: the region's pages, and the person's own work."""
    return client.get("/").content.decode().split("</header>")[0]


def test_a_steward_member_without_admin_access_sees_the_stewards_pages_but_not_the_admin(
    client, world
):
    ren = make_user("ren")
    Membership.objects.create(user=ren, organisation=world.steward, role="steward")
    client.force_login(ren)
    html = nav(client)
    assert all(link in html for link in STEWARD_LINKS)
    assert "Steward tools" not in html
    assert client.get("/payouts/").status_code == 200


def test_staff_see_the_admin_too(client, world):
    client.force_login(world.sam)
    html = nav(client)
    assert all(link in html for link in STEWARD_LINKS) and "Steward tools" in html


def test_the_work_links_have_a_navigation_of_their_own(client, world):
    # The region's pages keep one row for everyone; the steward's and a co-op's own pages
    # come below them, named for a screen reader as the person's work.
    client.force_login(world.sam)
    main, work = nav(client).split('aria-label="Your work"')
    assert 'aria-label="Main"' in main and not any(link in main for link in STEWARD_LINKS)
    assert all(link in work for link in (*STEWARD_LINKS, 'href="/manage/"'))


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_partners_and_residents_see_no_steward_links(client, world, who):
    client.force_login(getattr(world, who))
    html = nav(client)
    assert not any(link in html for link in STEWARD_LINKS) and "Steward tools" not in html
    assert ('aria-label="Your work"' in html) is (who == "alice")  # a co-op's admin manages
