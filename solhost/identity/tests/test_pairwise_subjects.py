"""Pairwise subjects: each co-op sees its own ``sub`` for a resident, and the platform can
still tell who that is (usage reports, logout tokens)."""

import datetime
import stat
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from solhost.identity import subjects
from solhost.identity.models import ServiceClient
from solhost.identity.subjects import subject_for, user_for_subject
from solhost.identity.tests.oidc import (
    authorize_params,
    consent,
    exchange,
    make_client,
    verified_claims,
)
from solhost.metering.actions import record_usage_batch
from solhost.metering.models import UsageEvent
from solhost.partners.models import Service
from solhost.test import sub_at


@pytest.fixture
def mcc_calendar(world):
    """A second service of the same co-op."""
    calendar = Service.objects.create(
        organisation=world.mcc,
        slug="mcc-calendar",
        name="MCC Calendar",
        kind=world.files,
        summary="Calendars.",
        software="Radicale",
        licence="GPL-3.0-or-later",
        source_url="https://github.com/Kozea/Radicale",
        url="https://calendar.mcc.example.org",
    )
    return make_client(calendar).client


def signed_in_tokens(client, registered, user) -> dict:
    client.force_login(user)
    code = consent(client, authorize_params(registered))["code"]
    return exchange(client, registered, code).json()


def test_new_clients_get_pairwise_subs_that_differ_between_co_ops(client, world):
    files = make_client(world.mcc_service)
    chat = make_client(world.cct_service)

    assert files.client.subject_type == ServiceClient.SubjectType.PAIRWISE
    at_mcc = subject_for(world.rita, files.client)
    at_cct = subject_for(world.rita, chat.client)
    assert len({at_mcc, at_cct, str(world.rita.sub)}) == 3
    assert subject_for(world.alice, files.client) != at_mcc
    # Stable: the same sub at every sign-in.
    assert subject_for(world.rita, files.client) == at_mcc
    tokens = signed_in_tokens(client, files, world.rita)
    claims = verified_claims(client, tokens["id_token"], files.client.client_id)
    assert claims["sub"] == at_mcc


def test_one_co_ops_services_agree_on_a_resident(world, mcc_calendar):
    files = make_client(world.mcc_service).client

    assert subject_for(world.rita, files) == subject_for(world.rita, mcc_calendar)


def test_a_public_client_keeps_the_public_sub(client, world):
    files = make_client(world.mcc_service)
    ServiceClient.objects.filter(pk=files.client.pk).update(
        subject_type=ServiceClient.SubjectType.PUBLIC
    )

    tokens = signed_in_tokens(client, files, world.rita)

    claims = verified_claims(client, tokens["id_token"], files.client.client_id)
    assert claims["sub"] == str(world.rita.sub)


def test_userinfo_gives_the_same_sub_as_the_id_token(client, world):
    files = make_client(world.mcc_service)

    tokens = signed_in_tokens(client, files, world.rita)

    claims = verified_claims(client, tokens["id_token"], files.client.client_id)
    userinfo = client.get(
        reverse("oauth2_provider:user-info"),
        HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}",
    ).json()
    assert userinfo["sub"] == claims["sub"] == subject_for(world.rita, files.client)


def test_the_platform_maps_a_pairwise_sub_back_to_the_resident(world, mcc_calendar):
    files = make_client(world.mcc_service).client
    chat = make_client(world.cct_service).client

    assert user_for_subject(subject_for(world.rita, files), files) == world.rita
    # One co-op's sub names the same resident at its other services, and nobody at another co-op's.
    assert user_for_subject(subject_for(world.rita, files), mcc_calendar) == world.rita
    assert user_for_subject(subject_for(world.rita, files), chat) is None
    assert user_for_subject("not a uuid", files) is None
    assert user_for_subject(str(uuid.uuid4()), files) is None


def usage(world, key: str, resident: str) -> dict:
    return {
        "id": key,
        "resident": resident,
        "service": "mcc-files",
        "kind": "file_upload",
        "quantity": 1,
        "occurred_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
    }


def test_usage_reported_with_a_pairwise_sub_lands_on_the_right_resident(world):
    files = make_client(world.mcc_service).client
    chat = make_client(world.cct_service).client

    result = record_usage_batch(
        partner=world.mcc,
        events=[
            usage(world, "pairwise", subject_for(world.rita, files)),
            # Another co-op's sub for a resident means nothing to this partner.
            usage(world, "elsewhere", subject_for(world.bob, chat)),
            # Nor does a public sub: none of this co-op's services was given one.
            usage(world, "public", str(world.alice.sub)),
        ],
    )

    assert result.accepted == ["pairwise"]
    assert [r.id for r in result.rejected] == ["elsewhere", "public"]
    assert [r.problems for r in result.rejected] == [
        [("events[1].resident", "no resident has this OIDC subject")],
        [("events[2].resident", "no resident has this OIDC subject")],
    ]


def test_a_co_op_reports_by_public_sub_only_the_residents_its_public_client_signed_in(
    client, world
):
    calendar = make_client(world.mcc_service)
    calendar.client.subject_type = ServiceClient.SubjectType.PUBLIC
    calendar.client.save()
    # Alice signed in to it; Rita never did, though MCC could have her public sub from a
    # co-op whose service she did sign in to.
    alices = signed_in_tokens(client, calendar, world.alice)

    result = record_usage_batch(
        partner=world.mcc,
        events=[
            usage(
                world,
                "alice",
                verified_claims(client, alices["id_token"], calendar.client.client_id)["sub"],
            ),
            usage(world, "rita", str(world.rita.sub)),
            usage(world, "rita-pairwise", sub_at(world.rita, world.mcc)),
        ],
    )

    assert result.accepted == ["alice", "rita-pairwise"]
    assert result.rejected[0].problems == [
        ("events[1].resident", "no resident has this OIDC subject")
    ]
    assert set(UsageEvent.objects.values_list("resident__username", flat=True)) == {
        "alice",
        "rita",
    }


def test_the_pairwise_secret_is_kept_beside_the_signing_keys_readable_by_the_site_only(world):
    files = make_client(world.mcc_service).client
    before = subject_for(world.rita, files)
    subjects._secret.cache_clear()

    assert subject_for(world.rita, files) == before
    path = Path(settings.OIDC_KEY_DIR) / subjects.KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_bytes()) == subjects.KEY_BYTES
