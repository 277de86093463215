import json

from django.core.management.base import BaseCommand, CommandError

from solhost.partners.actions import issue_api_token, revoke_api_token
from solhost.partners.models import ApiToken, Organisation


class Command(BaseCommand):
    help = "Make or revoke a partner's API token (for operators and scripts)."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        create = verbs.add_parser("create", help="Make a token and print it once.")
        create.add_argument("--organisation", required=True, help="The partner's slug.")
        create.add_argument("--name", required=True, help="What will use the token.")
        create.add_argument("--json", action="store_true", help="Print JSON instead of text.")
        revoke = verbs.add_parser("revoke", help="Stop a token from working.")
        revoke.add_argument("prefix", help="The token's prefix, the part after solhost_.")

    def handle(self, *args, verb, **options):
        if verb == "create":
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation has the slug {options['organisation']!r}.")
            token, plaintext = issue_api_token(
                organisation=organisation, actor=None, name=options["name"]
            )
            if options["json"]:
                self.stdout.write(
                    json.dumps(
                        {"organisation": organisation.slug, "name": token.name, "token": plaintext}
                    )
                )
            else:
                self.stdout.write(
                    f"Token for {organisation} ({token.name}), shown once:\n{plaintext}"
                )
            return
        token = ApiToken.objects.filter(prefix=options["prefix"]).first()
        if token is None:
            raise CommandError(f"No token starts with solhost_{options['prefix']}_.")
        revoke_api_token(token=token, actor=None)
        self.stdout.write(f"Revoked {token}.")
