"""A closing story on top of the test world.

Merri Creek Computing (``mcc``, admin ``alice``) closes. ``rita`` used its files service
(an active day) and ``dan`` connected to it (a consent), so each gets a case. Coburg
Commons Tech (``cct``, admin ``carol``) is qualified and also offers files, so it is the
alternative; ``fern``'s co-op (``fff``) offers files but is not qualified.
"""

import datetime

from django.utils import timezone

from solhost.identity.models import Consent
from solhost.identity.tests.oidc import make_client
from solhost.metering.models import ActiveDay
from solhost.partners.models import Membership, Organisation, Service
from solhost.qualification.models import QualificationRun
from solhost.test import make_user
from solhost.winddown import actions

TODAY = datetime.date(2026, 12, 1)
DATES = {
    "announced_on": TODAY,
    "no_new_signups_from": datetime.date(2026, 12, 15),
    "read_only_from": datetime.date(2027, 2, 1),
    "data_return_deadline": datetime.date(2027, 3, 1),
    "shutdown_on": datetime.date(2027, 3, 31),
}


def qualify(organisation: Organisation, day: datetime.date = TODAY) -> None:
    QualificationRun.objects.create(
        organisation=organisation,
        at=day,
        trigger="test",
        criteria_version="1",
        parameters={},
        qualified=True,
    )


def files_service(organisation: Organisation, world, slug: str) -> Service:
    return Service.objects.create(
        organisation=organisation,
        slug=slug,
        name=f"{organisation.name} Files",
        kind=world.files,
        summary="Files.",
        software="Nextcloud",
        licence="AGPL-3.0-or-later",
        source_url="https://github.com/nextcloud/server",
        url=f"https://{slug}.example.org",
    )


def closing_story(world):
    """Residents of mcc, an alternative at cct and one at an unqualified co-op."""
    world.dan = make_user("dan")
    world.fern = make_user("fern")
    world.fff = Organisation.objects.create(
        name="Fitzroy Free Files", slug="fff", legal_form="cooperative", summary="Files."
    )
    Membership.objects.create(user=world.fern, organisation=world.fff, role="partner_admin")
    world.cct_files = files_service(world.cct, world, "cct-files")
    world.fff_files = files_service(world.fff, world, "fff-files")
    qualify(world.cct)
    ActiveDay.objects.create(resident=world.rita, service=world.mcc_service, day=TODAY)
    client = make_client(world.mcc_service).client
    Consent.objects.create(user=world.dan, client=client, scopes="openid", given_at=timezone.now())
    return world


def start(world, **changes):
    return actions.start_wind_down(
        organisation=world.mcc, actor=world.alice, dates={**DATES, **changes}, today=TODAY
    )
