"""``solhost oidc-client add``: an approved client for a service, for operators and tests."""

import json

from django.core.management.base import BaseCommand, CommandError

from solhost.identity import actions
from solhost.partners.models import Service


class Command(BaseCommand):
    help = "Register an approved OpenID Connect client for a service and print its credentials."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["add"])
        parser.add_argument("--service", required=True, help="The service's slug.")
        parser.add_argument("--redirect-uri", required=True, action="append", dest="redirect_uris")
        parser.add_argument("--post-logout-redirect-uri", action="append", default=[])
        parser.add_argument("--public", action="store_true", help="No secret; PKCE required.")
        parser.add_argument("--json", action="store_true", help="Print JSON only.")

    def handle(self, *args, service, redirect_uris, public, post_logout_redirect_uri, **options):
        try:
            target = Service.objects.get(slug=service)
        except Service.DoesNotExist:
            raise CommandError(f"--service: no service with the slug {service!r}.") from None
        registered = actions.register_client(
            service=target,
            redirect_uris=redirect_uris,
            post_logout_redirect_uris=post_logout_redirect_uri,
            public=public,
            actor=None,
        )
        actions.approve_client(client=registered.client, steward=None)
        credentials = {
            "client_id": registered.client.client_id,
            "client_secret": registered.secret or None,
            "service": target.slug,
            "public": public,
            "redirect_uris": registered.client.redirect_uris.split(),
        }
        if options["json"]:
            self.stdout.write(json.dumps(credentials))
        else:
            for key, value in credentials.items():
                self.stdout.write(f"{key}: {value}")
