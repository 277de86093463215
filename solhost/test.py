"""Named personas and a small region for tests, so every test reads like a story.

- ``sam``: the steward's staff, with the steward tools (Django admin).
- ``alice``: partner admin of Merri Creek Computing (``mcc``).
- ``bob``: partner member of Merri Creek Computing.
- ``carol``: partner admin of Coburg Commons Tech (``cct``), another partner.
- ``rita``: a resident with no role in any organisation.
"""

import datetime
import time
from dataclasses import dataclass
from functools import cache

from django.contrib.auth.hashers import make_password
from django.db import connection

from solhost.identity.models import User
from solhost.identity.subjects import organisation_sector, pairwise_sub
from solhost.partners.models import Membership, Organisation, Server, Service, ServiceKind
from solhost.region.models import Region

PASSWORD = "a long demo passphrase"

# A rectangle around Brunswick and Coburg, in the inner north of Naarm/Melbourne.
BOUNDARY = {
    "type": "Polygon",
    "coordinates": [
        [[144.94, -37.78], [144.99, -37.78], [144.99, -37.72], [144.94, -37.72], [144.94, -37.78]]
    ],
}


@dataclass
class World:
    region: Region
    steward: Organisation
    mcc: Organisation
    cct: Organisation
    sam: User
    alice: User
    bob: User
    carol: User
    rita: User
    mcc_server: Server
    cct_server: Server
    mcc_service: Service
    cct_service: Service
    files: ServiceKind
    chat: ServiceKind


@cache
def _password_hash() -> str:
    # Argon2 is slow on purpose; hash the shared test password once per run.
    return make_password(PASSWORD)


def sub_at(user: User, organisation: Organisation) -> str:
    """The ``sub`` the co-op's services received for ``user``, as a client registered today
    gets it (pairwise): what the co-op names the resident by in its usage reports."""
    return str(pairwise_sub(user.sub, organisation_sector(organisation.pk)))


def make_user(username: str, **extra) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", None, **extra)
    user.password = _password_hash()
    user.save(update_fields=["password"])
    # allauth only lets verified addresses sign in.
    user.emailaddress_set.create(email=user.email, verified=True, primary=True)
    return user


def make_world() -> World:
    region = Region.objects.create(
        name="Test Region", slug="merri-bek", domain="test.example.org", boundary=BOUNDARY
    )
    steward = Organisation.objects.create(
        name="Test Steward",
        slug="steward",
        kind="steward",
        legal_form="association",
        summary="The steward.",
    )
    mcc = Organisation.objects.create(
        name="Merri Creek Computing",
        slug="mcc",
        legal_form="cooperative",
        summary="A worker co-op in Brunswick.",
    )
    cct = Organisation.objects.create(
        name="Coburg Commons Tech",
        slug="cct",
        legal_form="cooperative",
        summary="A worker co-op in Coburg.",
    )
    sam = make_user("sam", is_staff=True, is_superuser=True)
    alice, bob, carol, rita = (make_user(n) for n in ("alice", "bob", "carol", "rita"))
    Membership.objects.create(user=sam, organisation=steward, role="steward")
    Membership.objects.create(user=alice, organisation=mcc, role="partner_admin")
    Membership.objects.create(user=bob, organisation=mcc, role="partner_member")
    Membership.objects.create(user=carol, organisation=cct, role="partner_admin")
    files = ServiceKind.objects.create(slug="files", name="Files and calendars")
    chat = ServiceKind.objects.create(slug="chat", name="Chat")
    started = datetime.date(2025, 9, 1)
    mcc_server = Server.objects.create(
        organisation=mcc,
        slug="mcc-1",
        name="MCC one",
        latitude=-37.767,
        longitude=144.975,
        hosting_company="self-hosted",
        operation_started=started,
    )
    cct_server = Server.objects.create(
        organisation=cct,
        slug="cct-1",
        name="CCT one",
        latitude=-37.742,
        longitude=144.963,
        hosting_company="self-hosted",
        operation_started=started,
    )
    mcc_service = Service.objects.create(
        organisation=mcc,
        slug="mcc-files",
        name="MCC Files",
        kind=files,
        summary="File sync and calendars.",
        software="Nextcloud",
        licence="AGPL-3.0-or-later",
        source_url="https://github.com/nextcloud/server",
        url="https://files.mcc.example.org",
        lores_url="http://files.mesh",
    )
    mcc_service.servers.add(mcc_server)
    cct_service = Service.objects.create(
        organisation=cct,
        slug="cct-chat",
        name="CCT Chat",
        kind=chat,
        summary="Matrix chat.",
        software="Synapse",
        licence="AGPL-3.0-or-later",
        source_url="https://github.com/element-hq/synapse",
        url="https://chat.cct.example.org",
    )
    cct_service.servers.add(cct_server)
    return World(
        region,
        steward,
        mcc,
        cct,
        sam,
        alice,
        bob,
        carol,
        rita,
        mcc_server,
        cct_server,
        mcc_service,
        cct_service,
        files,
        chat,
    )


def someone_waits_on_a_lock(*, within_seconds: float = 30) -> bool:
    """Whether another connection to the test's PostgreSQL database is seen waiting on a
    lock within ``within_seconds``: how a contention test knows its second thread has met
    the first one's locks."""
    deadline = time.monotonic() + within_seconds
    while True:
        if _connections_waiting_on_a_lock():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


def _connections_waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        # Statistics views keep one snapshot per transaction, and the caller's may be open.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]
