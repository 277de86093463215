import pytest
from django.core.management import call_command
from django.utils.html import escape
from shapely.geometry import Point

from solhost.contributions.models import ContributionChoice, Payment
from solhost.demo.loader import DEMO_PASSWORD, LOGINS, load_demo
from solhost.distribution.models import PartnerStatement, PeriodClose, ResidentShare
from solhost.energy.models import PowerSystem
from solhost.governance.models import Proposal
from solhost.identity.models import User
from solhost.ledger.models import Posting, Transaction
from solhost.metering.models import ActiveDay, UsageEvent
from solhost.partners.models import Membership, Organisation, Server, Service, ServiceKind
from solhost.region.models import Region

MODELS = (
    Region,
    Organisation,
    Membership,
    ServiceKind,
    Server,
    Service,
    PowerSystem,
    User,
    ContributionChoice,
    Payment,
    UsageEvent,
    ActiveDay,
    PeriodClose,
    PartnerStatement,
    ResidentShare,
    Transaction,
    Posting,
)


@pytest.mark.django_db
def test_loading_twice_adds_nothing_the_second_time():
    load_demo()
    counts = {model: model.objects.count() for model in MODELS}
    load_demo()
    assert {model: model.objects.count() for model in MODELS} == counts
    assert counts[Organisation] == 5 and counts[Server] == 7 and counts[Service] == 9


@pytest.mark.django_db
def test_every_demo_login_works_with_the_printed_password():
    load_demo()
    for login in LOGINS:
        user = User.objects.get(email=login.email)
        assert user.check_password(DEMO_PASSWORD)
        assert user.emailaddress_set.get(email=login.email).verified


@pytest.mark.django_db
def test_primary_servers_sit_in_or_near_the_region_and_exceptions_far_away():
    load_demo()
    boundary = Region.objects.get(slug="merri-bek").shape
    for server in Server.objects.all():
        inside = boundary.contains(Point(server.longitude, server.latitude))
        if server.role == "primary" and server.slug != "cct-northcote-node":
            assert inside, server.slug
        if server.role != "primary":
            assert not inside, server.slug
    # The rooftop node across Merri Creek is the demo's near-the-edge case.
    assert not boundary.contains(Point(144.9905, -37.7450))


@pytest.mark.django_db
def test_load_demo_command_prints_the_logins():
    from io import StringIO

    out = StringIO()
    call_command("load-demo", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    for login in LOGINS:
        assert login.email in text


@pytest.mark.django_db
def test_the_demo_has_one_open_decision_with_votes(client):
    load_demo()
    load_demo()
    proposal = Proposal.objects.get()
    assert proposal.status == "open" and proposal.votes.count() == 2
    assert escape(proposal.title) in client.get("/governance/").content.decode()


@pytest.mark.django_db
def test_the_demo_has_a_closed_month_whose_money_is_on_every_page(client):
    load_demo()
    close = PeriodClose.objects.get()
    # Four residents paid 12 + 5 + 25 + 0 dollars; the solidarity gift is outside the split.
    assert close.total_in_cents == 4200
    assert close.commons_cents + close.solidarity_cents + close.held_cents == 4200
    assert PartnerStatement.objects.filter(close=close).count() == 4
    page = client.get(f"/transparency/{close.period}/")
    assert page.status_code == 200 and "$42.00" in page.content.decode()
    client.force_login(User.objects.get(username="maria"))
    html = client.get("/contribute/where-it-went/").content.decode()
    assert f"{close.period}: you paid $12.00" in html and "Merri Files" in html
