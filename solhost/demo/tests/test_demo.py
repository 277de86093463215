import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.html import escape
from shapely.geometry import Point

from solhost.contributions.models import ContributionChoice, Payment
from solhost.core.dates import month_in_words
from solhost.demo.loader import LOGINS, DemoRefused, load_demo, new_demo_password
from solhost.demo.models import DemoInstallation
from solhost.distribution.models import PartnerStatement, PeriodClose, ResidentShare
from solhost.energy.models import PowerSystem, TelemetryReading
from solhost.governance.models import Proposal
from solhost.identity.models import User
from solhost.ledger import accounts
from solhost.ledger.actions import post_transaction
from solhost.ledger.models import Posting, Transaction
from solhost.metering.models import ActiveDay, UsageEvent
from solhost.partners.models import Membership, Organisation, Server, Service, ServiceKind
from solhost.qualification.models import Declarations, Evidence, FinancialYear, QualificationRun
from solhost.region.models import Region
from solhost.test import BOUNDARY

MODELS = (
    Evidence,
    Declarations,
    FinancialYear,
    QualificationRun,
    Proposal,
    TelemetryReading,
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


def make_user(username: str, email: str | None = None, password: str | None = None) -> User:
    return User.objects.create_user(username, email or f"{username}@example.org", password)


def every_table() -> dict:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def load_command(*args) -> str:
    out = StringIO()
    call_command("load-demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_loading_twice_adds_nothing_the_second_time():
    load_demo()
    counts = {model: model.objects.count() for model in MODELS}
    load_demo()
    assert {model: model.objects.count() for model in MODELS} == counts
    assert counts[Organisation] == 5 and counts[Server] == 7 and counts[Service] == 9


@pytest.mark.django_db
def test_every_demo_login_works_with_the_installations_password_on_every_run():
    first = load_demo()
    again = load_demo()
    password = DemoInstallation.objects.get().password
    assert first.password == again.password == password
    for login in LOGINS:
        user = User.objects.get(email=login.email)
        assert user.check_password(password)
        assert user.emailaddress_set.get(email=login.email).verified
        assert DemoInstallation.objects.get().accounts.filter(pk=user.pk).exists()


def test_each_installation_gets_its_own_random_password():
    passwords = {new_demo_password() for _ in range(20)}
    assert len(passwords) == 20
    assert all(len(p) == 23 and p.count("-") == 3 for p in passwords)
    assert "solidarity-demo-2026" not in passwords


@pytest.mark.django_db
def test_load_demo_command_prints_the_logins_and_the_installations_password():
    text = load_command()
    assert f"password for all: {DemoInstallation.objects.get().password}" in text
    for login in LOGINS:
        assert login.email in text
    assert "Left as they were" not in text


@pytest.mark.django_db
def test_a_rerun_never_resets_a_demo_accounts_password_or_permissions():
    load_demo()
    steward = User.objects.get(email="steward@example.org")
    steward.is_superuser = steward.is_staff = False
    steward.set_password("a passphrase the steward chose")
    steward.save()
    load_demo()
    steward.refresh_from_db()
    assert not steward.is_superuser and not steward.is_staff
    assert steward.check_password("a passphrase the steward chose")


def real_account():
    return make_user("ada")


def real_organisation():
    return Organisation.objects.create(
        name="A real co-op", slug="real-coop", legal_form="cooperative", summary="Real."
    )


def real_region():
    return Region.objects.create(
        name="Real region", slug="real", domain="real.example.org", boundary=BOUNDARY
    )


def real_money():
    return post_transaction(
        description="A real gift",
        postings=[
            (accounts.fixed_account(accounts.BANK), 500),
            (accounts.fixed_account(accounts.SOLIDARITY), -500),
        ],
        actor=None,
        date=datetime.date(2026, 1, 5),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "named"),
    [
        (real_account, "1 account (ada@example.org)"),
        (real_organisation, "1 organisation (real-coop)"),
        (real_region, "1 region (real)"),
        (real_money, "1 ledger transaction (2026-01-05: A real gift)"),
    ],
)
def test_a_database_holding_anything_the_demo_did_not_make_is_refused_untouched(make, named):
    make()
    before = every_table()
    with pytest.raises(CommandError) as refused:
        load_command()
    assert named in str(refused.value) and "--force" in str(refused.value)
    assert every_table() == before


@pytest.mark.django_db
def test_a_real_superuser_at_a_demo_address_is_refused_and_keeps_everything():
    real = make_user("steward", "steward@example.org", "the real steward's own passphrase")
    before = every_table()
    with pytest.raises(DemoRefused):
        load_demo()
    real.refresh_from_db()
    assert real.check_password("the real steward's own passphrase")
    assert not real.is_superuser and not real.is_staff
    assert every_table() == before


@pytest.mark.django_db
def test_a_demo_database_where_someone_signed_up_is_refused_like_any_other():
    load_demo()
    make_user("newcomer")
    before = every_table()
    with pytest.raises(DemoRefused, match=r"1 account \(newcomer@example.org\)"):
        load_demo()
    assert every_table() == before


@pytest.mark.django_db
def test_a_demo_database_where_someone_registered_a_partner_is_refused():
    load_demo()
    real_organisation()
    with pytest.raises(DemoRefused, match=r"1 organisation \(real-coop\)"):
        load_demo()


@pytest.mark.django_db
def test_force_adds_only_what_is_missing_and_says_what_it_left_alone():
    real = make_user("ren", "steward@example.org", "the real steward's own passphrase")
    taken = Organisation.objects.create(
        name="The real Merri Creek co-op",
        slug="merri-creek-computing",
        legal_form="cooperative",
        summary="Real.",
    )
    real_server = Server.objects.create(
        organisation=taken,
        slug="real-1",
        name="Real server",
        latitude=-37.767,
        longitude=144.975,
        hosting_company="self-hosted",
        operation_started=datetime.date(2025, 1, 1),
    )
    PowerSystem.objects.create(
        server=real_server, pv_kwp=1, battery_nominal_wh=2000, essential_load_w=20
    )

    text = load_command("--force")

    real.refresh_from_db()
    taken.refresh_from_db()
    assert real.check_password("the real steward's own passphrase")
    assert not real.is_superuser and not real.is_staff and real.display_name != "Ren Castillo"
    assert not real.memberships.exists()
    assert taken.name == "The real Merri Creek co-op"
    assert not taken.servers.exclude(pk=real_server.pk).exists() and not taken.services.exists()
    assert not taken.memberships.exists()
    assert not TelemetryReading.objects.filter(server=real_server).exists()
    # No month is closed on a database that is not the demo's.
    assert not PeriodClose.objects.exists() and not Payment.objects.exists()
    assert "Left as they were" in text
    assert "steward@example.org: an account the demo did not make" in text
    assert "organisation merri-creek-computing: existed already" in text
    assert "closed month: not made" in text
    # The accounts it did make have the printed password; the steward's is not listed as one.
    password = DemoInstallation.objects.get().password
    assert f"password for all: {password}" in text
    assert User.objects.get(email="maria@example.org").check_password(password)
    assert "Ren Castillo, steward staff" not in text
    assert Organisation.objects.filter(slug="coburg-commons-tech").exists()

    # A second forced run keeps the same password and still leaves the real records alone.
    again = load_command("--force")
    assert f"password for all: {password}" in again
    real.refresh_from_db()
    assert real.check_password("the real steward's own passphrase") and not real.is_superuser


@pytest.mark.django_db
def test_a_taken_username_is_not_reused_for_a_demo_account():
    other = make_user("priya", "priya.real@example.net")
    summary = load_demo(force=True)
    assert not User.objects.filter(email="priya@example.org").exists()
    assert any("the username 'priya' belongs to another account" in s for s in summary.skipped)
    other.refresh_from_db()
    assert other.email == "priya.real@example.net" and not other.memberships.exists()
    # The open decision needs Priya, so it waits for the demo's own database.
    assert not Proposal.objects.exists()


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
def test_the_demo_has_one_open_decision_with_votes(client):
    load_demo()
    load_demo()
    proposal = Proposal.objects.get(status="open")
    assert proposal.votes.count() == 2
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
    assert f"{month_in_words(close.period)}: you paid $12.00" in html and "Merri Files" in html
