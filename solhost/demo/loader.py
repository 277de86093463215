"""The demo region: Merri-bek, in the inner north of Naarm/Melbourne.

Every organisation, person and server here is invented for the demo; only the place is
real. ``load_demo()`` can run any number of times: it updates what it created before and
adds nothing twice.
"""

import datetime
import json
from dataclasses import dataclass
from importlib.resources import files

from django.db import transaction

from solhost.core import audit
from solhost.demo.energy import load_demo_energy
from solhost.demo.money import load_demo_money
from solhost.energy.models import PowerSystem
from solhost.governance.actions import cast_vote, create_proposal, open_proposal
from solhost.governance.models import Proposal
from solhost.identity.models import User
from solhost.partners.kinds import STARTER_SERVICE_KINDS
from solhost.partners.models import Membership, Organisation, Server, Service, ServiceKind
from solhost.region.models import Region

# Four weeks of hourly meter data per powered server: enough for every energy page.
DEMO_ENERGY_DAYS = 28

# Demo accounts only: the demo prints them, and they guard nothing real.
DEMO_PASSWORD = "solidarity-demo-2026"  # noqa: S105

REGION = {
    "slug": "merri-bek",
    "name": "Merri-bek Local Cloud",
    "domain": "merri-bek.example.org",
    "tagline": "Everyday online services, run by local co-ops on sunshine.",
    "description": (
        "Merri-bek Local Cloud is one account for the online tools you use every day: files and "
        "calendars, chat, video calls, websites, forums. Small co-operatives from Brunswick to "
        "Glenroy run them on servers in the neighbourhood, powered by the sun and able to keep "
        "going through a long blackout. Pay what you can; your money goes to the co-ops whose "
        "services you use."
    ),
}

STEWARD = {
    "slug": "merri-bek-tech",
    "name": "Merri-bek Tech",
    "kind": "steward",
    "legal_form": "association",
    "registration_number": "A0000000X",
    "summary": "The non-profit that runs the region's platform and brand with its partners.",
    "description": (
        "Merri-bek Tech holds the region's brand and accounts, checks partners against the charter, "
        "collects residents' contributions and pays them out, and convenes the network's decisions."
    ),
    "locality": "Coburg",
    "website": "https://merri-bek-tech.example.org",
    "contact_email": "hello@example.org",
}

PARTNERS = [
    {
        "slug": "merri-creek-computing",
        "name": "Merri Creek Computing Co-operative",
        "legal_form": "cooperative",
        "registration_number": "C0091234",
        "summary": "A worker co-op of four in Brunswick East hosting files, calendars and websites.",
        "description": (
            "Started by two sysadmins and a bookkeeper who wanted their neighbours off big tech, Merri "
            "Creek Computing runs Nextcloud and a static-site host from a solar-powered rack in a shared "
            "workshop beside the creek. Workers own the co-op and are members of their union."
        ),
        "locality": "Brunswick East",
        "website": "https://merricreek.example.org",
        "contact_email": "hello@merricreek.example.org",
        "founded": datetime.date(2023, 3, 14),
    },
    {
        "slug": "coburg-commons-tech",
        "name": "Coburg Commons Tech",
        "legal_form": "cooperative",
        "registration_number": "C0095678",
        "summary": "Chat and video calls for Coburg's community groups, run by a multi-stakeholder co-op.",
        "description": (
            "Coburg Commons Tech counts both its workers and the groups it serves as members. It runs "
            "Matrix chat and Jitsi video calls, with a low-power node on a Northcote rooftop across the creek."
        ),
        "locality": "Coburg",
        "website": "https://coburgcommons.example.org",
        "contact_email": "crew@coburgcommons.example.org",
        "founded": datetime.date(2022, 8, 1),
    },
    {
        "slug": "glenroy-solar-servers",
        "name": "Glenroy Solar Servers",
        "legal_form": "collective",
        "registration_number": "",
        "summary": "An unincorporated collective hosting code and an offline Wikipedia mirror from a garage roof.",
        "description": (
            "Three neighbours run Forgejo for local software projects and a Kiwix mirror of Wikipedia "
            "that stays reachable over the LoRes mesh when the internet is down."
        ),
        "locality": "Glenroy",
        "website": "https://glenroysolar.example.org",
        "contact_email": "collective@glenroysolar.example.org",
        "founded": datetime.date(2024, 5, 20),
    },
    {
        "slug": "fawkner-fediverse",
        "name": "Fawkner Fediverse Co-op",
        "legal_form": "cooperative",
        "registration_number": "C0102468",
        "summary": "A local Mastodon server and a community forum for the northern suburbs.",
        "description": (
            "Fawkner Fediverse Co-op moderates with care and pays its moderators. It runs Mastodon and "
            "Discourse from a community hall with a battery bank sized for three dark days."
        ),
        "locality": "Fawkner",
        "website": "https://fawknerfedi.example.org",
        "contact_email": "admins@fawknerfedi.example.org",
        "founded": datetime.date(2024, 11, 2),
    },
]

# (organisation slug, server fields, power system fields or None)
SERVERS = [
    (
        "merri-creek-computing",
        {
            "slug": "mcc-brunswick-1",
            "name": "Creekside rack",
            "role": "primary",
            "latitude": -37.7688,
            "longitude": 144.9781,
            "locality": "Brunswick East",
            "hosting_company": "self-hosted",
            "public_ips": ["203.0.113.10", "2001:db8:10::10"],
            "operation_started": datetime.date(2023, 6, 1),
            "description": "Two low-power servers and a switch in a shared workshop.",
        },
        {
            "pv_kwp": 3.2,
            "pv_tilt_deg": 15,
            "pv_azimuth_deg": 0,
            "battery_nominal_wh": 10240,
            "battery_min_soc_pct": 20,
            "battery_health_pct": 96,
            "essential_load_w": 45,
            "round_trip_efficiency_pct": 92,
            "inverter_efficiency_pct": 95,
            "grid_connected": True,
        },
    ),
    (
        "merri-creek-computing",
        {
            "slug": "mcc-backup-bendigo",
            "name": "Off-site backup",
            "role": "offsite_backup",
            "latitude": -36.7570,
            "longitude": 144.2794,
            "locality": "Bendigo",
            "hosting_company": "Goldfields Community Data Centre",
            "public_ips": ["198.51.100.20"],
            "operation_started": datetime.date(2023, 9, 1),
            "description": "Encrypted nightly backups in a small regional data centre.",
        },
        None,
    ),
    (
        "coburg-commons-tech",
        {
            "slug": "cct-coburg-1",
            "name": "Coburg hall server",
            "role": "primary",
            "latitude": -37.7437,
            "longitude": 144.9652,
            "locality": "Coburg",
            "hosting_company": "self-hosted",
            "public_ips": ["203.0.113.30"],
            "operation_started": datetime.date(2022, 10, 15),
            "description": "Runs chat and video calls from the back room of a community hall.",
        },
        {
            "pv_kwp": 5.0,
            "pv_tilt_deg": 20,
            "pv_azimuth_deg": 350,
            "battery_nominal_wh": 13500,
            "battery_min_soc_pct": 15,
            "battery_health_pct": 91,
            "essential_load_w": 60,
            "round_trip_efficiency_pct": 90,
            "inverter_efficiency_pct": 96,
            "grid_connected": True,
        },
    ),
    (
        "coburg-commons-tech",
        {
            "slug": "cct-northcote-node",
            "name": "Rooftop LoRes node",
            "role": "primary",
            # Just across Merri Creek, a few hundred metres outside the boundary.
            "latitude": -37.7450,
            "longitude": 144.9905,
            "locality": "Northcote",
            "hosting_company": "self-hosted",
            "public_ips": ["203.0.113.31"],
            "operation_started": datetime.date(2026, 4, 1),
            "description": "A single-board computer serving the LoRes copies of the co-op's pages.",
        },
        {
            "pv_kwp": 0.4,
            "pv_tilt_deg": 30,
            "pv_azimuth_deg": 0,
            "battery_nominal_wh": 1200,
            "battery_min_soc_pct": 10,
            "battery_health_pct": 100,
            "essential_load_w": 6,
            "round_trip_efficiency_pct": 93,
            "inverter_efficiency_pct": 100,
            "grid_connected": False,
        },
    ),
    (
        "glenroy-solar-servers",
        {
            "slug": "gss-glenroy-1",
            "name": "Garage server",
            "role": "primary",
            "latitude": -37.7045,
            "longitude": 144.9187,
            "locality": "Glenroy",
            "hosting_company": "self-hosted",
            "public_ips": ["203.0.113.50"],
            "operation_started": datetime.date(2024, 7, 1),
            "description": "A refurbished workstation under a garage roof full of panels.",
        },
        {
            "pv_kwp": 6.6,
            "pv_tilt_deg": 22,
            "pv_azimuth_deg": 10,
            "battery_nominal_wh": 9600,
            "battery_min_soc_pct": 20,
            "battery_health_pct": 98,
            "essential_load_w": 35,
            "round_trip_efficiency_pct": 90,
            "inverter_efficiency_pct": 95,
            "grid_connected": True,
        },
    ),
    (
        "glenroy-solar-servers",
        {
            "slug": "gss-dns-ballarat",
            "name": "Secondary DNS",
            "role": "dns",
            "latitude": -37.5622,
            "longitude": 143.8503,
            "locality": "Ballarat",
            "hosting_company": "Ballarat Tech Co-operative",
            "public_ips": ["198.51.100.53"],
            "operation_started": datetime.date(2024, 7, 1),
            "description": "A small virtual machine answering DNS when the garage is offline.",
        },
        None,
    ),
    (
        "fawkner-fediverse",
        {
            "slug": "ffc-fawkner-1",
            "name": "Community hall server",
            "role": "primary",
            "latitude": -37.7105,
            "longitude": 144.9665,
            "locality": "Fawkner",
            "hosting_company": "self-hosted",
            "public_ips": ["203.0.113.70", "2001:db8:70::1"],
            "operation_started": datetime.date(2025, 2, 1),
            "description": "Mastodon and Discourse on one server, with media on a second disk.",
        },
        {
            "pv_kwp": 8.0,
            "pv_tilt_deg": 10,
            "pv_azimuth_deg": 5,
            "battery_nominal_wh": 20000,
            "battery_min_soc_pct": 20,
            "battery_health_pct": 99,
            "essential_load_w": 70,
            "round_trip_efficiency_pct": 91,
            "inverter_efficiency_pct": 96,
            "grid_connected": True,
            "community_installation": "Merri-bek Community Solar (hall roof array)",
            "community_latitude": -37.7098,
            "community_longitude": 144.9671,
        },
    ),
]

# (organisation slug, kind slug, server slugs, service fields)
SERVICES = [
    (
        "merri-creek-computing",
        "files",
        ["mcc-brunswick-1"],
        {
            "slug": "merri-files",
            "name": "Merri Files",
            "software": "Nextcloud",
            "software_version": "31.0",
            "licence": "AGPL-3.0-or-later",
            "source_url": "https://github.com/nextcloud/server",
            "url": "https://files.merricreek.example.org",
            "audience": "public",
            "summary": "Sync files, share photos and keep your calendar and contacts in one place.",
        },
    ),
    (
        "merri-creek-computing",
        "websites",
        ["mcc-brunswick-1"],
        {
            "slug": "creekside-sites",
            "name": "Creekside Sites",
            "software": "Caddy",
            "software_version": "2.9",
            "licence": "Apache-2.0",
            "source_url": "https://github.com/caddyserver/caddy",
            "url": "https://sites.merricreek.example.org",
            "audience": "public",
            "lores_url": "http://sites.merricreek.mesh",
            "summary": "Static websites for groups and small traders, mirrored on the LoRes mesh.",
        },
    ),
    (
        "coburg-commons-tech",
        "chat",
        ["cct-coburg-1"],
        {
            "slug": "coburg-chat",
            "name": "Coburg Chat",
            "software": "Synapse",
            "software_version": "1.120",
            "licence": "AGPL-3.0-or-later",
            "source_url": "https://github.com/element-hq/synapse",
            "url": "https://chat.coburgcommons.example.org",
            "audience": "public",
            "summary": "Matrix chat rooms for clubs, schools and campaigns, bridged to the wider Matrix network.",
        },
    ),
    (
        "coburg-commons-tech",
        "video",
        ["cct-coburg-1"],
        {
            "slug": "commons-meet",
            "name": "Commons Meet",
            "software": "Jitsi Meet",
            "software_version": "2.0.9955",
            "licence": "Apache-2.0",
            "source_url": "https://github.com/jitsi/jitsi-meet",
            "url": "https://meet.coburgcommons.example.org",
            "audience": "organisation",
            "summary": "Video meetings in the browser for member groups; guests join with a link.",
        },
    ),
    (
        "coburg-commons-tech",
        "websites",
        ["cct-northcote-node"],
        {
            "slug": "coburg-noticeboard",
            "name": "Coburg Noticeboard",
            "software": "Hugo",
            "software_version": "0.140",
            "licence": "Apache-2.0",
            "source_url": "https://github.com/gohugoio/hugo",
            "url": "https://notices.coburgcommons.example.org",
            "audience": "public",
            "lores_url": "http://notices.coburg.mesh",
            "summary": "A community noticeboard that stays up on the mesh during outages.",
        },
    ),
    (
        "glenroy-solar-servers",
        "code",
        ["gss-glenroy-1"],
        {
            "slug": "solar-forge",
            "name": "Solar Forge",
            "software": "Forgejo",
            "software_version": "10.0",
            "licence": "GPL-3.0-or-later",
            "source_url": "https://codeberg.org/forgejo/forgejo",
            "url": "https://forge.glenroysolar.example.org",
            "audience": "members",
            "summary": "Git hosting, issues and pull requests for local software projects.",
        },
    ),
    (
        "glenroy-solar-servers",
        "reference",
        ["gss-glenroy-1"],
        {
            "slug": "glenroy-wiki-mirror",
            "name": "Glenroy Wiki Mirror",
            "software": "Kiwix",
            "software_version": "3.7",
            "licence": "GPL-3.0-or-later",
            "source_url": "https://github.com/kiwix/kiwix-tools",
            "url": "https://wiki.glenroysolar.example.org",
            "audience": "public",
            "lores_url": "http://wiki.glenroy.mesh",
            "summary": "English Wikipedia, readable offline and over the LoRes mesh.",
        },
    ),
    (
        "fawkner-fediverse",
        "social",
        ["ffc-fawkner-1"],
        {
            "slug": "fawkner-social",
            "name": "Fawkner Social",
            "software": "Mastodon",
            "software_version": "4.3",
            "licence": "AGPL-3.0-only",
            "source_url": "https://github.com/mastodon/mastodon",
            "url": "https://social.fawknerfedi.example.org",
            "audience": "public",
            "summary": "A friendly local Mastodon server with paid, accountable moderators.",
        },
    ),
    (
        "fawkner-fediverse",
        "forum",
        ["ffc-fawkner-1"],
        {
            "slug": "northside-forum",
            "name": "Northside Forum",
            "software": "Discourse",
            "software_version": "3.3",
            "licence": "GPL-2.0-or-later",
            "source_url": "https://github.com/discourse/discourse",
            "url": "https://forum.fawknerfedi.example.org",
            "audience": "public",
            "summary": "Long-form discussion for residents' groups, repair cafés and sports clubs.",
        },
    ),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    username: str
    name: str
    role: str
    organisation: str | None
    membership: str | None
    staff: bool = False


LOGINS = [
    DemoLogin(
        "steward@example.org",
        "ren",
        "Ren Castillo",
        "steward staff (steward tools)",
        "merri-bek-tech",
        "steward",
        staff=True,
    ),
    DemoLogin(
        "priya@example.org",
        "priya",
        "Priya Raman",
        "partner admin, Merri Creek Computing",
        "merri-creek-computing",
        "partner_admin",
    ),
    DemoLogin(
        "tom@example.org",
        "tom",
        "Tom Nguyen",
        "partner member, Merri Creek Computing",
        "merri-creek-computing",
        "partner_member",
    ),
    DemoLogin(
        "jess@example.org",
        "jess",
        "Jess Okafor",
        "partner admin, Coburg Commons Tech",
        "coburg-commons-tech",
        "partner_admin",
    ),
    DemoLogin(
        "lin@example.org",
        "lin",
        "Lin Zhou",
        "partner admin, Glenroy Solar Servers",
        "glenroy-solar-servers",
        "partner_admin",
    ),
    DemoLogin(
        "sam@example.org",
        "sam",
        "Sam Fraser",
        "partner admin, Fawkner Fediverse Co-op",
        "fawkner-fediverse",
        "partner_admin",
    ),
    DemoLogin("maria@example.org", "maria", "Maria Rossi", "resident", None, None),
    DemoLogin("ahmed@example.org", "ahmed", "Ahmed Hassan", "resident", None, None),
    DemoLogin("kate@example.org", "kate", "Kate O'Brien", "resident", None, None),
]


def boundary_geojson() -> dict:
    return json.loads((files("solhost.region") / "merri-bek.geojson").read_text())


DEMO_DECISION = {
    "title": "Adopt the region's interoperability guideline",
    "reasoning": (
        "Residents should be able to move between co-ops without losing anything. The guideline "
        "asks every partner to offer standard exports (CalDAV, CardDAV, WebDAV, Matrix room "
        "history, ActivityPub account moves) and to sign residents in with the regional account."
    ),
    "resolution": (
        "The network adopts the interoperability guideline: every service offers a standard "
        "export of residents' data and accepts sign-in with the regional account within six months."
    ),
}


def _demo_decision(organisations: dict[str, Organisation]) -> None:
    """One open decision, so the governance pages show how the network decides."""
    if Proposal.objects.filter(title=DEMO_DECISION["title"]).exists():
        return
    mcc, cct = organisations["merri-creek-computing"], organisations["coburg-commons-tech"]
    priya, jess = User.objects.get(username="priya"), User.objects.get(username="jess")
    proposal = create_proposal(
        organisation=mcc, author=priya, decision_type="consent", **DEMO_DECISION
    )
    open_proposal(proposal=proposal, actor=priya)
    cast_vote(proposal=proposal, organisation=mcc, actor=priya, choice="agree")
    cast_vote(
        proposal=proposal,
        organisation=cct,
        actor=jess,
        choice="agree",
        comment="Our Matrix server already exports room history; happy to help the others.",
    )


@dataclass(frozen=True)
class DemoSummary:
    organisations: int
    servers: int
    services: int
    people: int


def _demo_user(login: DemoLogin) -> User:
    user = User.objects.filter(email__iexact=login.email).first()
    if user is None:
        user = User(username=login.username, email=login.email)
    user.display_name = login.name
    user.first_name, _, user.last_name = login.name.partition(" ")
    user.is_staff = user.is_superuser = login.staff
    if not user.has_usable_password() or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
    user.save()
    user.emailaddress_set.update_or_create(
        email=login.email, defaults={"verified": True, "primary": True}
    )
    return user


@transaction.atomic
def load_demo() -> DemoSummary:
    """Create or refresh the demo region, its steward, partners, people, servers and services."""
    Region.objects.update_or_create(
        slug=REGION["slug"], defaults={**REGION, "boundary": boundary_geojson()}
    )
    kinds = {}
    for slug, name, description, lores in STARTER_SERVICE_KINDS:
        kinds[slug], _ = ServiceKind.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "lores_covered": lores}
        )
    organisations = {}
    for fields in [STEWARD, *PARTNERS]:
        organisations[fields["slug"]], _ = Organisation.objects.update_or_create(
            slug=fields["slug"], defaults={k: v for k, v in fields.items() if k != "slug"}
        )
    for login in LOGINS:
        user = _demo_user(login)
        if login.organisation:
            Membership.objects.update_or_create(
                user=user,
                organisation=organisations[login.organisation],
                defaults={"role": login.membership},
            )
    servers = {}
    for org_slug, fields, power in SERVERS:
        server, _ = Server.objects.update_or_create(
            slug=fields["slug"],
            defaults={
                "organisation": organisations[org_slug],
                **{k: v for k, v in fields.items() if k != "slug"},
            },
        )
        server.full_clean()
        servers[server.slug] = server
        if power:
            PowerSystem.objects.update_or_create(server=server, defaults=power)
    for org_slug, kind_slug, server_slugs, fields in SERVICES:
        service, _ = Service.objects.update_or_create(
            slug=fields["slug"],
            defaults={
                "organisation": organisations[org_slug],
                "kind": kinds[kind_slug],
                "lores_url": "",
                **{k: v for k, v in fields.items() if k != "slug"},
            },
        )
        service.full_clean()
        service.servers.set([servers[s] for s in server_slugs])
    summary = DemoSummary(
        organisations=len(organisations),
        servers=len(servers),
        services=len(SERVICES),
        people=len(LOGINS),
    )
    load_demo_energy(days=DEMO_ENERGY_DAYS)
    _demo_decision(organisations)
    load_demo_money()
    audit.record(
        actor=None, action=audit.AuditAction.DEMO_LOAD, note=f"Demo region loaded: {summary}"
    )
    return summary
