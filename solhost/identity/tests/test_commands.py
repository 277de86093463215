"""``solhost oidc-client add`` and ``solhost oidc-keys rotate``."""

import datetime
import io
import json
import subprocess
import sys

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command
from django.utils import timezone

from solhost.core.audit import AuditAction
from solhost.core.models import AuditEvent
from solhost.identity import jwks
from solhost.identity.models import ServiceClient
from solhost.identity.signing_keys import generate_key
from solhost.identity.tasks import rotate_signing_key_when_due
from solhost.identity.tests.served import installation_env


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_oidc_client_add_prints_approved_credentials_as_json(world):
    output = json.loads(
        run(
            "oidc-client",
            "add",
            "--service",
            "mcc-files",
            "--redirect-uri",
            "https://a.example.org/cb",
            "--json",
        )
    )

    created = ServiceClient.objects.get(client_id=output["client_id"])
    assert created.approved and created.service == world.mcc_service
    assert output["client_secret"] and output["public"] is False
    assert check_password(output["client_secret"], created.client_secret)


def test_a_public_client_gets_no_secret(world):
    output = json.loads(
        run(
            "oidc-client",
            "add",
            "--service",
            "mcc-files",
            "--redirect-uri",
            "https://a.example.org/cb",
            "--public",
            "--json",
        )
    )

    assert output["client_secret"] is None
    assert ServiceClient.objects.get().client_type == "public"


def test_an_unknown_service_is_named(world):
    with pytest.raises(CommandError, match="--service: no service with the slug 'nope'"):
        run("oidc-client", "add", "--service", "nope", "--redirect-uri", "https://a.example.org/cb")
    assert not ServiceClient.objects.exists()


def test_rotate_publishes_a_new_key_a_day_before_it_signs(db, settings, tmp_path):
    settings.OIDC_KEY_DIR = tmp_path / "keys"
    assert "No signing key yet" in run("oidc-keys", "list")

    run("oidc-keys", "rotate")
    output = run("oidc-keys", "rotate")

    first, second = sorted((tmp_path / "keys").glob("rsa-*.pem"))
    assert all(k.stat().st_mode & 0o777 == 0o600 for k in (first, second))
    tomorrow = timezone.now() + datetime.timedelta(seconds=settings.OIDC_KEY_NOTICE_SECONDS)
    assert (
        f"New signing key {second.name}: published now, signing from {tomorrow:%Y-%m-%d}" in output
    )
    assert "No restart is needed." in output
    assert f"{first.name}  signs now\n" in output
    assert f"{second.name}  published, signs from {tomorrow:%Y-%m-%d}" in output
    # The trail keeps each rotation, by hand here, with the key it added.
    events = AuditEvent.objects.filter(action=AuditAction.SIGNING_KEY_ROTATE).order_by("pk")
    assert [event.note for event in events] == ["rotated by hand", "rotated by hand"]
    assert events.last().after["kids"] == [jwks.key_ring().upcoming[0].public_jwk["kid"]]


def test_a_second_rotation_while_a_key_is_waiting_to_sign_is_refused(db, settings, tmp_path):
    settings.OIDC_KEY_DIR = tmp_path / "keys"
    run("oidc-keys", "rotate")
    run("oidc-keys", "rotate")
    waiting = sorted((tmp_path / "keys").glob("rsa-*.pem"))[-1]

    with pytest.raises(CommandError, match=f"Not rotated: {waiting.name} is published and signs"):
        run("oidc-keys", "rotate")
    assert len(list((tmp_path / "keys").glob("rsa-*.pem"))) == 2


def test_at_a_site_rotate_says_the_primary_hears_of_the_new_key(db, settings, tmp_path):
    settings.OIDC_KEY_DIR = tmp_path / "keys"
    settings.SOLHOST_SITE = "brunswick"

    output = run("oidc-keys", "rotate")

    assert "this site's worker has the primary register the new key" in output


def test_rotate_when_due_rotates_only_a_key_that_has_signed_long_enough(db, settings, tmp_path):
    settings.OIDC_KEY_DIR = tmp_path / "keys"
    settings.OIDC_KEY_ROTATE_DAYS = 90
    long_ago = timezone.now() - datetime.timedelta(days=91)
    generate_key(settings.OIDC_KEY_DIR, signs_from=long_ago)

    rotated = run("oidc-keys", "rotate", "--when-due")
    again = run("oidc-keys", "rotate", "--when-due")

    assert "New signing key" in rotated
    assert again.startswith("Not due: the next scheduled rotation is after the waiting key signs")
    assert len(list(settings.OIDC_KEY_DIR.glob("rsa-*.pem"))) == 2


def test_rotate_when_due_says_when_it_will_be(db, settings, tmp_path):
    settings.OIDC_KEY_DIR = tmp_path / "keys"
    settings.OIDC_KEY_ROTATE_DAYS = 90
    key = generate_key(settings.OIDC_KEY_DIR, signs_from=timezone.now())

    output = run("oidc-keys", "rotate", "--when-due")

    due = key.signs_from + datetime.timedelta(days=90)
    assert output == (
        f"Not due: the next scheduled rotation is on {due:%Y-%m-%d}, when the signing key "
        "has signed 90 days.\n"
    )
    settings.OIDC_KEY_ROTATE_DAYS = 0
    assert "never (SOLHOST_OIDC_KEY_ROTATE_DAYS=0: only by hand)" in run(
        "oidc-keys", "rotate", "--when-due"
    )
    assert len(list(settings.OIDC_KEY_DIR.glob("rsa-*.pem"))) == 1


def test_the_daily_job_rotates_a_key_that_is_due(db, settings, tmp_path):
    settings.OIDC_KEY_DIR = tmp_path / "keys"
    settings.OIDC_KEY_ROTATE_DAYS = 30
    generate_key(settings.OIDC_KEY_DIR, signs_from=timezone.now() - datetime.timedelta(days=31))

    rotate_signing_key_when_due.call_local()

    assert len(jwks.key_ring().upcoming) == 1
    event = AuditEvent.objects.get(action=AuditAction.SIGNING_KEY_ROTATE)
    assert (event.actor_label, event.note) == ("system", "the routine rotation")


def test_a_notice_shorter_than_services_keep_the_jwks_stops_the_installation(tmp_path):
    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={
            **installation_env(
                "sqlite:///" + str(tmp_path / "db.sqlite3"),
                tmp_path / "var",
                SOLHOST_OIDC_KEY_NOTICE_SECONDS="3600",
            ),
            "DJANGO_SETTINGS_MODULE": "solhost.settings",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert started.returncode != 0
    assert (
        "SOLHOST_OIDC_KEY_NOTICE_SECONDS=3600: a new key must be published at least 7200 "
        "seconds before it signs"
    ) in started.stderr
    assert not (tmp_path / "var" / "oidc-keys").exists()
