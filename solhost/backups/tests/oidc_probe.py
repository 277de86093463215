"""Run inside an installation (its DATABASE_URL and SOLHOST_VAR_DIR): print its JWKS as JSON.

``--set-password USERNAME PASSWORD`` first gives a resident a password the test knows and
a security key (its id is printed as ``security_key``);
``--sign-in USERNAME PASSWORD`` signs that resident in to a demo service with the
authorization code flow, for offline access, and adds the ID token the installation issued.
"""

import json
import os
import sys

import django


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solhost.settings")
    django.setup()
    from allauth.mfa.models import Authenticator
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from solhost.identity.models import User
    from solhost.identity.tests.oidc import (
        SCOPES,
        authorize_params,
        consent,
        exchange,
        make_client,
    )
    from solhost.partners.models import Service

    setup_test_environment()
    # Pages are rendered without collectstatic, as in the test suite.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client()
    result = {"jwks": client.get(reverse("oauth2_provider:jwks-info")).json()}
    if argv[:1] == ["--set-password"]:
        user = User.objects.get(username=argv[1])
        user.set_password(argv[2])
        user.save(update_fields=["password"])
        key = Authenticator.objects.create(
            user=user, type=Authenticator.Type.WEBAUTHN, data={"name": "Blue key", "credential": {}}
        )
        result["security_key"] = key.pk
    if argv[:1] == ["--sign-in"]:
        username, password = argv[1:3]
        assert client.login(username=username, password=password), "the password was refused"
        registered = make_client(Service.objects.order_by("pk").first())
        # Offline access: a refresh token in the archive, which a restore must not revive.
        params = authorize_params(registered, scope=f"{SCOPES} offline_access")
        code = consent(client, params)["code"]
        tokens = exchange(client, registered, code).json()
        result |= {"id_token": tokens["id_token"], "client_id": registered.client.client_id}
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
