"""The demo region: Merri-bek, in the inner north of Naarm/Melbourne.

Every organisation, person and server here is invented for the demo; only the place is
real. ``load_demo()`` can run any number of times on the demo's own database: it updates
what it made before and adds nothing twice.

It never harms a real region. The rule:

- The first load on an **empty** database (no accounts, organisations, regions or ledger
  transactions; what the migrations seed does not count) marks it as the demo's with a
  ``DemoInstallation`` row, which keeps the logins' password and the accounts it made.
- A database **marked as the demo's** may be loaded again as long as everything in it is
  the demo's: every account one the demo made, every organisation and region one of the
  demo's. Someone who signed up or registered a partner on the demo has made it hold
  real records, so it is refused like any other. (Money, usage and evidence always hang
  off an account or an organisation, so these checks see them too.)
- **Any other database** is refused with ``DemoRefused``, naming what it found, and
  nothing changes.
- With ``force=True`` the demo loads onto such a database anyway, but only adds: an
  account, organisation, region, server or service that exists already is left exactly
  as it is, nothing is added to an organisation the demo did not make, and the demo's
  closed month is not made, since a close cannot be undone and would sweep up that
  month's real payments. The summary lists what was skipped.

The demo sets a password and permissions only on accounts it creates, never on one that
exists, so a later load cannot make anyone a superuser again or undo a password change.
The password is random for each installation and printed with the logins on every run.
"""

import datetime
import json
import secrets
import string
from dataclasses import dataclass
from importlib.resources import files

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret

from solhost.core import audit
from solhost.demo.dossiers import load_demo_dossiers
from solhost.demo.energy import load_demo_energy
from solhost.demo.models import DemoInstallation
from solhost.demo.money import load_demo_money
from solhost.energy.models import PowerSystem
from solhost.governance.actions import cast_vote, create_proposal, open_proposal
from solhost.governance.models import Proposal
from solhost.identity.models import ServiceClient, User
from solhost.ledger.models import Transaction
from solhost.lores.actions import store_documents
from solhost.lores.models import ServerNodeClaim
from solhost.partners.kinds import (
    STARTER_SERVICE_KINDS,
    starter_exit_information,
    starter_search_words,
)
from solhost.partners.models import Membership, Organisation, Server, Service, ServiceKind
from solhost.region.models import Region

# Four weeks of hourly meter data per powered server: enough for every energy page, too
# little to judge a year's renewable share, as on a site that has just begun sending.
DEMO_ENERGY_DAYS = 28
# The qualified partner's site has sent a whole year, so its share and outage readiness
# are judged.
DEMO_ENERGY_YEAR = {"mcc-brunswick-1": 365}

# The region's LoRes mesh as its nodes would describe it: one node on each partner server
# that serves a LoRes app, the apps being the Co-op Cloud recipes its services run.
DEMO_LORES_REGION_ID = "d3m0" * 16
DEMO_LORES_NODES = (
    # (server, node id (public key), node name, apps as (recipe, version))
    ("mcc-brunswick-1", "a1" * 32, "creekside-node", (("custom-html", "1.6.0"),)),
    ("cct-northcote-node", "b2" * 32, "northcote-rooftop", (("custom-html", "1.6.0"),)),
    ("gss-glenroy-1", "c3" * 32, "glenroy-solar", (("kiwix-serve", "3.7.0"),)),
)

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

# Services that sign residents in through the region: (client ID, addresses), by service.
# Nobody holds their secrets; a co-op's admin makes a new one on the client's page to
# connect a real service.
DEMO_SIGN_IN_CLIENTS = {
    "merri-files": (
        "merri-files-demo",
        {
            "redirect_uris": "https://files.merricreek.example.org/apps/user_oidc/code",
            "post_logout_redirect_uris": "https://files.merricreek.example.org/",
            "backchannel_logout_uri": (
                "https://files.merricreek.example.org/apps/user_oidc/backchannel-logout/region"
            ),
        },
    ),
    "coburg-chat": (
        "coburg-chat-demo",
        {
            "redirect_uris": (
                "https://chat.coburgcommons.example.org/_synapse/client/oidc/callback"
            ),
            "backchannel_logout_uri": (
                "https://chat.coburgcommons.example.org/_synapse/client/oidc/backchannel_logout"
            ),
        },
    ),
}

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
            # Not the usual for a website: the noticeboard is one site, kept in git.
            "export_formats": ["markdown", "git"],
            "export_steps": (
                "Notices are Markdown files in the co-op's git repository: ask for a copy of "
                "the repository, or of your own notices only."
            ),
            "account_move": "no_account",
            "account_move_steps": "",
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


class DemoRefused(Exception):
    """The database holds records the demo did not make; nothing was changed."""

    def __init__(self, found: list[str]):
        self.found = found
        super().__init__(
            "This database is not the demo's: it holds "
            + "; ".join(found)
            + ". Loading the demo would mix invented people and money into it, so nothing "
            "was changed. Load the demo into an empty database instead (for example with "
            "SOLHOST_VAR_DIR set to a new directory), or pass --force to add only what is "
            "missing and leave every existing record as it is."
        )


@dataclass(frozen=True)
class DemoSummary:
    organisations: int
    servers: int
    services: int
    people: int
    password: str
    # The demo logins it made or refreshed, and a sentence for each thing left alone.
    logins: tuple["DemoLogin", ...]
    skipped: tuple[str, ...]
    # Whether the partners' dossiers were filled: only on the demo's own database.
    dossiers: bool = False


DEMO_ORGANISATIONS = frozenset(fields["slug"] for fields in [STEWARD, *PARTNERS])

# Lower-case letters without the ones easily misread (l, o), in four groups of five:
# about 90 bits, and easy to type from a terminal.
_PASSWORD_LETTERS = "".join(c for c in string.ascii_lowercase if c not in "lo")


def new_demo_password() -> str:
    return "-".join("".join(secrets.choice(_PASSWORD_LETTERS) for _ in range(5)) for _ in range(4))


def _count(queryset, what: str, show) -> str | None:
    found = list(queryset[:4])
    if not found:
        return None
    total = queryset.count()
    listed = ", ".join(show(item) for item in found[:3])
    more = f" and {total - 3} more" if total > 3 else ""
    return f"{total} {what}{'s' if total != 1 else ''} ({listed}{more})"


def foreign_records(installation: DemoInstallation | None) -> list[str]:
    """What the database holds that the demo did not make, one phrase each; empty if none."""
    accounts = User.objects.order_by("pk")
    if installation is not None:
        accounts = accounts.exclude(pk__in=installation.accounts.all())
    found = [
        _count(accounts, "account", lambda user: user.email or user.username),
        _count(
            Organisation.objects.exclude(slug__in=DEMO_ORGANISATIONS).order_by("pk"),
            "organisation",
            lambda organisation: organisation.slug,
        ),
        _count(
            Region.objects.exclude(slug=REGION["slug"]).order_by("pk"),
            "region",
            lambda region: region.slug,
        ),
    ]
    if installation is None:
        found.append(
            _count(
                Transaction.objects.order_by("pk"),
                "ledger transaction",
                lambda entry: f"{entry.date}: {entry.description}",
            )
        )
    return [phrase for phrase in found if phrase]


def _put(model, *, refresh: bool, defaults: dict, create_only: dict | None = None, **lookup):
    """Refresh a demo record on the demo's database; elsewhere add it only if it is missing.

    ``create_only``: fields set only when the record is made, never refreshed.
    """
    made_with = {**defaults, **(create_only or {})}
    if refresh:
        return model.objects.update_or_create(
            defaults=defaults, create_defaults=made_with, **lookup
        )
    return model.objects.get_or_create(defaults=made_with, **lookup)


def _demo_sign_in_client(service: Service, *, refresh: bool) -> None:
    """The service's approved sign-in client, as its co-op would have registered it."""
    client_id, addresses = DEMO_SIGN_IN_CLIENTS[service.slug]
    client, _made = _put(
        ServiceClient,
        refresh=refresh,
        client_id=client_id,
        defaults={
            "service": service,
            "name": service.name,
            "client_type": ServiceClient.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": ServiceClient.GRANT_AUTHORIZATION_CODE,
            "algorithm": ServiceClient.RS256_ALGORITHM,
            **addresses,
        },
        # Kept across refreshes: an admin who made a new one for a real service keeps it.
        create_only={"client_secret": generate_client_secret(), "approved_at": timezone.now()},
    )
    client.full_clean()


def _demo_user(login: DemoLogin, installation: DemoInstallation) -> tuple[User | None, str]:
    """The demo's account for ``login``, or None and why an existing one was left alone.

    A password and permissions are set only on an account made here, never on one that
    exists: an address that is someone's own account keeps everything it had.
    """
    holder = (
        User.objects.filter(
            Q(email__iexact=login.email) | Q(emailaddress__email__iexact=login.email)
        )
        .distinct()
        .first()
    )
    if holder is not None:
        if not installation.accounts.filter(pk=holder.pk).exists():
            return (
                None,
                f"{login.email}: an account the demo did not make has this address; left as it was",
            )
        holder.display_name = login.name
        holder.first_name, _, holder.last_name = login.name.partition(" ")
        holder.save(update_fields=["display_name", "first_name", "last_name"])
        return holder, ""
    if User.objects.filter(username__iexact=login.username).exists():
        return (
            None,
            f"{login.email}: the username {login.username!r} belongs to another account; not made",
        )
    user = User(username=login.username, email=login.email, display_name=login.name)
    user.first_name, _, user.last_name = login.name.partition(" ")
    user.is_staff = user.is_superuser = login.staff
    user.set_password(installation.password)
    user.save()
    user.emailaddress_set.create(email=login.email, verified=True, primary=True)
    installation.accounts.add(user)
    return user, ""


def _demo_decision(people: dict[str, User], organisations: dict[str, Organisation]) -> None:
    """One open decision, so the governance pages show how the network decides."""
    if Proposal.objects.filter(title=DEMO_DECISION["title"]).exists():
        return
    mcc, cct = organisations["merri-creek-computing"], organisations["coburg-commons-tech"]
    priya, jess = people["priya"], people["jess"]
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


def _demo_lores(servers: dict[str, Server]) -> None:
    """The mesh read as a sync would, so V2 and the pages show the apps behind each service."""
    nodes = [entry for entry in DEMO_LORES_NODES if entry[0] in servers]
    for server_slug, node_id, _name, _apps in nodes:
        ServerNodeClaim.objects.update_or_create(
            server=servers[server_slug], defaults={"node_id": node_id, "claimed_by": "demo"}
        )
    region = {
        "id": DEMO_LORES_REGION_ID,
        "creator_node_id": DEMO_LORES_NODES[0][1],
        "slug": REGION["slug"],
        "name": REGION["name"],
        "organisation_name": STEWARD["name"],
        "organisation_url": f"https://{REGION['domain']}",
        "map": None,
    }
    regions = [
        {
            "region": region,
            "nodes": [
                {
                    "id": number,
                    "node_id": node_id,
                    "region_id": DEMO_LORES_REGION_ID,
                    "status": "Member",
                    "name": name,
                    "domain_on_local_network": f"{name}.local",
                    "latlng": {
                        "lat": servers[server_slug].latitude,
                        "lng": servers[server_slug].longitude,
                    },
                    "status_text": "Running on the sun",
                    "state": "active",
                }
                for number, (server_slug, node_id, name, _apps) in enumerate(nodes, 1)
            ],
        }
    ]
    apps = [
        {
            "name": recipe,
            "region_id": DEMO_LORES_REGION_ID,
            "installations": [
                {"app_name": recipe, "region_node_id": number, "version": version}
                for number, (_server, _key, _name, node_apps) in enumerate(nodes, 1)
                for app, version in node_apps
                if app == recipe
            ],
        }
        for recipe in sorted({app for *_, node_apps in nodes for app, _version in node_apps})
    ]
    store_documents(source="the demo", regions=regions, apps=apps)


def load_demo(*, force: bool = False) -> DemoSummary:
    """Create or refresh the demo region, its steward, partners, people, servers and services,
    and on the demo's own database the partners' dossiers.

    Raises ``DemoRefused`` on a database that is not the demo's, unless ``force``.
    """
    summary, people, organisations = _load_region(force=force)
    # Dossier steps are the partner pages' own actions, each committed on its own, so they
    # come once the region is; they need the demo's partners, admins and steward.
    if summary.dossiers:
        load_demo_dossiers(people=people, organisations=organisations)
    return summary


@transaction.atomic
def _load_region(*, force: bool) -> tuple[DemoSummary, dict[str, User], dict[str, Organisation]]:
    installation = DemoInstallation.objects.select_for_update().filter(pk=1).first()
    found = foreign_records(installation)
    if found and not force:
        raise DemoRefused(found)
    refresh = not found
    if installation is None:
        installation = DemoInstallation.objects.create(pk=1, password=new_demo_password())
    skipped: list[str] = []

    _put(
        Region,
        refresh=refresh,
        slug=REGION["slug"],
        defaults={**REGION, "boundary": boundary_geojson()},
    )
    kinds = {}
    for slug, name, description, lores in STARTER_SERVICE_KINDS:
        kinds[slug], _ = _put(
            ServiceKind,
            refresh=refresh,
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "lores_covered": lores,
                "search_words": starter_search_words(slug),
                **starter_exit_information(slug),
            },
        )
    # The organisations the demo may fill: all of its own on its database, elsewhere only
    # those made now.
    organisations, ours = {}, set()
    for fields in [STEWARD, *PARTNERS]:
        organisation, made = _put(
            Organisation,
            refresh=refresh,
            slug=fields["slug"],
            defaults={k: v for k, v in fields.items() if k != "slug"},
        )
        organisations[organisation.slug] = organisation
        if refresh or made:
            ours.add(organisation.slug)
        else:
            skipped.append(
                f"organisation {organisation.slug}: existed already; left as it was, nothing added to it"
            )
    people, logins = {}, []
    for login in LOGINS:
        user, why = _demo_user(login, installation)
        if user is None:
            skipped.append(why)
            continue
        people[login.username] = user
        logins.append(login)
        if login.organisation in ours:
            Membership.objects.update_or_create(
                user=user,
                organisation=organisations[login.organisation],
                defaults={"role": login.membership},
            )
    servers, filled = {}, []
    for org_slug, fields, power in SERVERS:
        if org_slug not in ours:
            continue
        server, made = _put(
            Server,
            refresh=refresh,
            slug=fields["slug"],
            defaults={
                "organisation": organisations[org_slug],
                **{k: v for k, v in fields.items() if k != "slug"},
            },
        )
        if not (refresh or made):
            skipped.append(f"server {server.slug}: existed already; left as it was")
            continue
        server.full_clean()
        servers[server.slug] = server
        if power:
            PowerSystem.objects.update_or_create(server=server, defaults=power)
            filled.append(server)
    services = 0
    for org_slug, kind_slug, server_slugs, fields in SERVICES:
        if org_slug not in ours:
            continue
        service, made = _put(
            Service,
            refresh=refresh,
            slug=fields["slug"],
            defaults={
                "organisation": organisations[org_slug],
                "kind": kinds[kind_slug],
                "lores_url": "",
                # How to leave it is as usual for its kind unless the service says otherwise.
                **kinds[kind_slug].exit_information(),
                **{k: v for k, v in fields.items() if k != "slug"},
            },
        )
        if not (refresh or made):
            skipped.append(f"service {service.slug}: existed already; left as it was")
            continue
        service.full_clean()
        service.servers.set([servers[s] for s in server_slugs if s in servers])
        if service.slug in DEMO_SIGN_IN_CLIENTS:
            _demo_sign_in_client(service, refresh=refresh)
        services += 1
    load_demo_energy(servers=filled, days=DEMO_ENERGY_DAYS, days_by_server=DEMO_ENERGY_YEAR)
    _demo_lores(servers)
    if {"priya", "jess"} <= people.keys() and {
        "merri-creek-computing",
        "coburg-commons-tech",
    } <= ours:
        _demo_decision(people, organisations)
    if refresh:
        load_demo_money(residents=people)
    else:
        skipped.append(
            "the demo's closed month: not made, since a close cannot be undone and would "
            "take in that month's real payments"
        )
    summary = DemoSummary(
        organisations=len(ours),
        servers=len(servers),
        services=services,
        people=len(people),
        password=installation.password,
        logins=tuple(logins),
        skipped=tuple(skipped),
        dossiers=refresh,
    )
    audit.record(
        actor=None,
        action=audit.AuditAction.DEMO_LOAD,
        note=(
            f"Demo region loaded: {summary.organisations} organisations, {summary.servers} "
            f"servers, {summary.services} services, {summary.people} people"
            + (f"; forced, skipped: {'; '.join(skipped)}" if found else "")
        ),
    )
    return summary, people, organisations
