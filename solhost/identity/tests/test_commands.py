"""``solhost oidc-client add`` and ``solhost oidc-keys rotate``."""

import io
import json

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command

from solhost.identity.models import ServiceClient


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


def test_rotate_adds_a_key_and_keeps_the_old_one_published(settings, tmp_path):
    settings.OIDC_KEY_DIR = tmp_path / "keys"

    run("oidc-keys", "rotate")
    output = run("oidc-keys", "rotate")

    keys = sorted((tmp_path / "keys").glob("rsa-*.pem"))
    assert len(keys) == 2
    assert all(k.stat().st_mode & 0o777 == 0o600 for k in keys)
    assert "Restart the site" in output
